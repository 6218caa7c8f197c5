/**
 * In-process CPU profile of a section of the benchmark (V8 sampling profiler
 * via node:inspector), summarised as self time per source file and function
 * and inclusive time of a few functions of interest.
 */
import { Session } from 'node:inspector/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CpuSummary {
  totalMs: number;
  /** Self time by area (src file, npm package, node internals, GC, idle), descending. */
  byArea: Array<[area: string, ms: number]>;
  /** Self time by function, descending. */
  byFunction: Array<[fn: string, ms: number]>;
  /** Inclusive time of selected functions (recursion counted once). */
  inclusive: Array<[fn: string, ms: number]>;
}

/** `file:///…/src/sessions/sealer.ts` -> `src/sessions/sealer.ts`; `…/node_modules/pino/…` -> `pino`. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const own = /\/((?:src|bench)\/.+)$/.exec(url);
  if (own) return own[1] as string;
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

export async function startCpuProfile(samplingIntervalUs = 100): Promise<() => Promise<Profile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    await session.post('Profiler.disable');
    session.disconnect();
    return profile;
  };
}

export function summarizeProfile(profile: Profile, interesting: readonly string[]): CpuSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, msSelf] of self) {
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + msSelf);
    const fn = `${frame.functionName || '(anonymous)'} ${area}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + msSelf);
  }

  // Inclusive time: walk the tree once, counting a function only at its outermost frame.
  const inclusive = new Map<string, number>(interesting.map((f) => [f, 0]));
  const childSet = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const roots = profile.nodes.filter((n) => !childSet.has(n.id));
  const total = (id: number): number => {
    const node = nodes.get(id) as ProfileNode;
    return (self.get(id) ?? 0) + (node.children ?? []).reduce((sum, c) => sum + total(c), 0);
  };
  const walk = (id: number, active: Set<string>) => {
    const node = nodes.get(id) as ProfileNode;
    const name = node.callFrame.functionName;
    const counted = inclusive.has(name) && !active.has(name);
    if (counted) {
      inclusive.set(name, (inclusive.get(name) ?? 0) + total(id));
      active.add(name);
    }
    for (const child of node.children ?? []) walk(child, active);
    if (counted) active.delete(name);
  };
  for (const root of roots) walk(root.id, new Set());

  const desc = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs: (profile.endTime - profile.startTime) / 1000, byArea: desc(byArea), byFunction: desc(byFunction), inclusive: desc(inclusive) };
}
