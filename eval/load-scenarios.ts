import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './scenario-schema';

/** A scenario with the file it came from. */
export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

/** A scenario file that is not valid YAML or does not match the schema: names the file, line and field. */
export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}:${line}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = new.target.name;
  }
}

/** Parse and validate one scenario file's text. */
export function parseScenario(file: string, text: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const [yamlError] = doc.errors;
  if (yamlError) throw new ScenarioFileError(file, lineCounter.linePos(yamlError.pos[0]).line, '', yamlError.message.split('\n')[0] ?? 'invalid YAML');
  const parsed = scenarioSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const fieldPath = [...issue.path, ...keys.slice(0, 1)].map(String);
  const offset = offsetOf(doc.contents, fieldPath);
  const line = offset === undefined ? 1 : lineCounter.linePos(offset).line;
  const field = fieldPath.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  throw new ScenarioFileError(file, line, field || '(root)', issue.message);
}

/** Where the deepest existing node along `fieldPath` starts (the key, for a map entry). */
function offsetOf(root: unknown, fieldPath: string[]): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const part of fieldPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(part)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

/** Load every `*.yaml` scenario in `dir` (sorted), failing on the first bad file. */
export async function loadScenarios(dir: string): Promise<LoadedScenario[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const loaded: LoadedScenario[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    loaded.push({ file, scenario: parseScenario(file, await readFile(file, 'utf8')) });
  }
  return loaded;
}
