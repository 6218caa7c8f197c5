/**
 * `npm run eval`: drive the real engine through every scenario in
 * eval/scenarios with one model, judge each conversation, and write
 * eval/report.json and eval/report.md.
 *
 *   npm run eval -- --model offline|adversarial|openai [--repeat N] [--baseline report.json]
 *                   [--filter text] [--out eval/report.json] [--allow-failures] [--concurrency 4] [--judge-model NAME]
 *
 * Exit codes: 0 all passed; 1 a scenario failed (unless --allow-failures) or
 * the baseline comparison failed; 2 a safety violation (always fatal);
 * 3 bad usage or a bad scenario file.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOfflineModel } from '../src/agent/offline-model';
import { createOpenAIModel } from '../src/agent/openai-model';
import { loadConfig, type Env } from '../src/config';
import type { ModelClient } from '../src/ports';
import { loadScenarios, ScenarioFileError } from './load-scenarios';
import { createAdversarialModel } from './models/adversarial-model';
import { helpdeskOfflineIntents as intents } from '../plugins/helpdesk/offline/intents';
import { createJudge } from './runner/judge';
import { buildReport, compareWithBaseline, reportMarkdown, terminalSummary, type EvalReport } from './runner/report';
import { runScenario, type ScenarioOutcome } from './runner/run-scenario';
import type { EvalModelName } from './scenario-schema';

/** Bad command-line usage: reported in one line, exit 3. */
class UsageError extends Error {}

const EVAL_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * A model factory for the chosen `--model`, and the engine variables the runs need. The OpenAI model
 * reads the usual OPENAI_* variables through config (the key is passed on so replies are checked for it).
 */
function modelFactory(name: EvalModelName): { makeModel: () => ModelClient; env: Env } {
  const newCallId = () => `call_${randomUUID().replace(/-/g, '')}`;
  if (name === 'offline') return { makeModel: () => createOfflineModel({ newCallId, intents }), env: {} };
  if (name === 'adversarial') return { makeModel: () => createAdversarialModel({ newCallId, intents }), env: {} };
  const config = loadConfig(process.env);
  const apiKey = config.openai.apiKey;
  if (!apiKey) throw new UsageError('--model openai needs OPENAI_API_KEY (and optionally OPENAI_BASE_URL, OPENAI_MODEL)');
  const baseUrl = config.openai.baseUrl;
  return { makeModel: () => createOpenAIModel({ apiKey, model: config.openai.model, ...(baseUrl ? { baseUrl } : {}) }), env: { OPENAI_API_KEY: apiKey } };
}

/** The judge: an OpenAI-compatible model named on the command line, on the same OPENAI_* endpoint. */
function judgeModel(name: string): ModelClient {
  const config = loadConfig(process.env);
  if (!config.openai.apiKey) throw new UsageError('--judge-model needs OPENAI_API_KEY (and optionally OPENAI_BASE_URL)');
  return createOpenAIModel({ apiKey: config.openai.apiKey, model: name, ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}) });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'offline' },
      repeat: { type: 'string', default: '1' },
      baseline: { type: 'string' },
      filter: { type: 'string' },
      scenarios: { type: 'string', default: path.join(EVAL_DIR, 'scenarios') },
      out: { type: 'string', default: path.join(EVAL_DIR, 'report.json') },
      'allow-failures': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      'judge-model': { type: 'string' },
      /** One generic prompt with every tool, no specialists: compares prompt tokens with the routed default. */
      generic: { type: 'boolean', default: false },
    },
  });
  const model = values.model as EvalModelName;
  if (!['offline', 'adversarial', 'openai'].includes(model)) throw new UsageError(`--model must be offline, adversarial or openai (got ${values.model})`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError('--repeat must be a whole number of at least 1');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency must be a whole number of at least 1');

  const { makeModel, env } = modelFactory(model);
  const judge = values['judge-model'] ? createJudge(judgeModel(values['judge-model'])) : undefined;
  const loaded = (await loadScenarios(values.scenarios)).map((s) => (values.generic ? { ...s, scenario: { ...s.scenario, setup: { ...s.scenario.setup, specialists: false } } } : s));
  const scenarios = loaded.filter(
    ({ scenario, file }) => (!scenario.models || scenario.models.includes(model)) && (!values.filter || `${file} ${scenario.name} ${scenario.tags.join(' ')}`.includes(values.filter)),
  );

  const startedAt = new Date().toISOString();
  const started = performance.now();
  // Each run has its own data directory and engine, so runs are independent; a few at once hide SQLite's disk waits.
  const jobs = Array.from({ length: repeat }, () => scenarios).flat();
  const outcomes: ScenarioOutcome[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (job) outcomes[index] = await runScenario(job.scenario, path.relative(process.cwd(), job.file), { modelName: model, makeModel, env, ...(judge ? { judge } : {}) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  const report = buildReport(outcomes, { model, repeat, startedAt, durationMs: Math.round(performance.now() - started), routing: values.generic ? 'generic' : 'routed' });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(values.out.replace(/\.json$/, '') + '.md', reportMarkdown(report));
  console.log(terminalSummary(report));

  if (report.safety.total > 0) return 2;
  if (values.baseline) {
    const baseline = JSON.parse(await readFile(values.baseline, 'utf8')) as EvalReport;
    const problems = compareWithBaseline(report, baseline);
    for (const p of problems) console.log(`  baseline: ${p}`);
    if (problems.length > 0) return 1;
  }
  return report.passed < report.runs && !values['allow-failures'] ? 1 : 0;
}


main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ScenarioFileError || error instanceof UsageError ? error.message : error);
    process.exitCode = 3;
  },
);
