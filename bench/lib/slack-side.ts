/**
 * Child process of the Slack benchmark: runs one side (the product, the
 * bare Bolt floor or the @openai/agents bot) alone in its own process, so its memory and CPU are its
 * own, and answers the parent over IPC.
 *
 *   parent -> child: { type: 'measure' }   start of the measured phase (reset CPU and peak RSS; start the profiler)
 *   parent -> child: { type: 'report' }    end of it: send a SideReport
 *   parent -> child: { type: 'stop' }      shut down and exit
 *   child -> parent: { type: 'ready', port, rss } | { type: 'measuring' } | { type: 'report', report } | { type: 'error', message }
 *
 * Configuration comes in BENCH_SLACK_SIDE (JSON of SideConfig).
 */
import { writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startCpuProfile, summarizeProfile, type CpuSummary } from './cpu-profile';
import { startAgentsBot } from './slack-agents';
import { startFloor } from './slack-floor';
import { startFloorUi } from './slack-floor-ui';
import { startProduct, type ProductOptions } from './slack-product';
import type { WhatIf } from './slack-what-if';

/** What one side needs: the product's options (a superset of the floor's) plus profiling. */
export interface SideConfig extends ProductOptions {
  /** `agents`: the reference bot on @openai/agents (bench/lib/slack-agents.ts). */
  side: 'product' | 'floor' | 'agents' | 'floor-ui';
  profile: boolean;
  /** Also write the raw profile here (`.cpuprofile`, opens in Chrome DevTools). */
  profileFile?: string;
  /** Product variants (bench/lib/slack-what-if.ts); empty for the product as shipped. */
  whatIfs: WhatIf[];
}

export interface SideReport {
  side: SideConfig['side'];
  /** RSS once started, before any request. */
  readyRss: number;
  /** Highest RSS sampled every 50 ms during the measured phase. */
  peakRss: number;
  /** The kernel's high-water mark for the whole process (getrusage ru_maxrss). */
  maxRss: number;
  heapUsed: number;
  /** CPU time spent in the measured phase. */
  cpuUserMs: number;
  cpuSystemMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Share of the measured phase the main thread was busy (running JS or blocked in native code), 0..1. */
  eventLoopUtilization: number;
  profile?: CpuSummary;
  /** SQLite statements the product's store sent in the measured phase (profiled runs only). */
  sqlStatements?: number;
}

/** Functions whose inclusive (synchronous) time the profile reports. */
const INTERESTING = [
  'handleMessage',
  'handleInOrder',
  'runLoop',
  'runToolCall',
  'finishRun',
  'locked',
  'seal',
  'open',
  'scrubDeep',
  'write',
  'reserve',
  'settle',
  'identify',
  'renderText',
  'markdownToMrkdwn',
  'apiCall',
  'processEvent',
  'requestListener',
  'verifySlackRequest',
  'toOpenAIMessage',
  'complete',
  'safeParse',
  'parse',
  'stringify',
];

const config = JSON.parse(process.env.BENCH_SLACK_SIDE ?? '{}') as SideConfig;
const send = (message: object) => process.send?.(message);

async function main(): Promise<void> {
  const product = config.side === 'product' ? await startProduct(config) : undefined;
  const running = product ?? (config.side === 'agents' ? await startAgentsBot(config) : config.side === 'floor-ui' ? await startFloorUi(config) : await startFloor(config));
  let sqlStatements: number | undefined;
  if (config.profile && product) {
    // Count statements through the store's SQLite adapter (every store operation is one or more).
    const adapter = (product.app.store as unknown as { adapter?: { query?: (...args: unknown[]) => Promise<unknown> } }).adapter;
    const query = adapter?.query;
    if (adapter && query) {
      sqlStatements = 0;
      adapter.query = (...args: unknown[]) => {
        sqlStatements = (sqlStatements ?? 0) + 1;
        return query.apply(adapter, args);
      };
    }
  }

  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  sampler.unref();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  let cpuStart = process.cpuUsage();
  let eluStart = performance.eventLoopUtilization();
  let stopProfile: Awaited<ReturnType<typeof startCpuProfile>> | undefined;

  const readyRss = process.memoryUsage.rss();
  process.on('message', (raw) => {
    const message = raw as { type: string };
    void (async () => {
      try {
        if (message.type === 'measure') {
          (globalThis as { gc?: () => void }).gc?.();
          peakRss = process.memoryUsage.rss();
          if (sqlStatements !== undefined) sqlStatements = 0;
          loopDelay.reset();
          loopDelay.enable();
          if (config.profile) stopProfile = await startCpuProfile(200);
          cpuStart = process.cpuUsage();
          eluStart = performance.eventLoopUtilization();
          send({ type: 'measuring' });
        } else if (message.type === 'report') {
          const cpu = process.cpuUsage(cpuStart);
          const elu = performance.eventLoopUtilization(eluStart);
          loopDelay.disable();
          const raw = stopProfile ? await stopProfile() : undefined;
          if (raw && config.profileFile) await writeFile(config.profileFile, JSON.stringify(raw));
          const profile = raw ? summarizeProfile(raw, INTERESTING) : undefined;
          const report: SideReport = {
            side: config.side,
            readyRss,
            peakRss: Math.max(peakRss, process.memoryUsage.rss()),
            maxRss: process.resourceUsage().maxRSS * 1024,
            heapUsed: process.memoryUsage().heapUsed,
            cpuUserMs: cpu.user / 1000,
            cpuSystemMs: cpu.system / 1000,
            eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
            eventLoopDelayMaxMs: loopDelay.max / 1e6,
            eventLoopUtilization: elu.utilization,
            ...(profile
              ? { profile: { ...profile, byArea: profile.byArea.slice(0, 30), byFunction: profile.byFunction.slice(0, 150) } }
              : {}),
            ...(sqlStatements !== undefined ? { sqlStatements } : {}),
          };
          send({ type: 'report', report });
        } else if (message.type === 'stop') {
          clearInterval(sampler);
          await running.stop();
          process.disconnect?.();
          setTimeout(() => process.exit(0), 500).unref();
        }
      } catch (error) {
        send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });

  send({ type: 'ready', port: running.port, rss: readyRss });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
