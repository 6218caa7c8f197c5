import { performance } from 'node:perf_hooks';
import type { Env } from '../../src/config';
import type { Caller, ConversationRef, ModelClient, ToolCallRecord, TurnResult } from '../../src/ports';
import type { EvalModelName, Expectations, Scenario, SpeakerSpec } from '../scenario-schema';
import { createFailingModel, withMeter, withPricedUsage, type MeteredCall } from '../models/model-doubles';
import { checkExpectations } from './expectations';
import type { Judge, JudgeScore } from './judge';
import { checkExecutions, checkLeaks, checkSecrets, type ShownText, type Violation } from './safety';
import { createWorld } from './world';

/** How one scenario went with one model. */
export interface ScenarioOutcome {
  name: string;
  file: string;
  model: string;
  passed: boolean;
  /** Unmet expectations, each naming the expectation. */
  failures: string[];
  violations: Violation[];
  /** Ended with an answer, no escalation, no error. */
  resolved: boolean;
  escalated: boolean;
  costUsd: number;
  /** Model steps per turn (user messages and resumed runs). */
  stepsPerTurn: number[];
  /** Token usage per model call. */
  modelCalls: MeteredCall[];
  /** Wall-clock time of each engine call (message, decision), in ms. */
  latenciesMs: number[];
  replies: string[];
  /** The judge's grade, when a judge model was given. */
  judge?: JudgeScore | { error: string };
}

/** What the runner needs besides the scenario. */
export interface RunOptions {
  modelName: EvalModelName;
  /** Builds a fresh model for one conversation. */
  makeModel: () => ModelClient;
  env?: Env;
  /** Grades each conversation (optional, `--judge-model`). */
  judge?: Judge;
}

const IDENTITIES: Record<string, Record<string, string>> = {
  slack: { alice: 'U0DEMOALICE', bob: 'U0DEMOBOB', carol: 'U0DEMOCAROL' },
  discord: { alice: '100000000000000001', bob: '100000000000000002', carol: '100000000000000003' },
  console: { alice: 'alice', bob: 'bob', carol: 'carol' },
};

/** The platform caller for a speaker: a seeded customer's identity, or an id of its own. */
export function callerFor(name: string, spec: SpeakerSpec, platform: string): Caller {
  const userId = spec.customer ? (IDENTITIES[platform]?.[spec.customer] ?? spec.customer) : `EVAL_${name.toUpperCase()}`;
  return { userId, platform, displayName: spec.displayName ?? name[0]?.toUpperCase() + name.slice(1), role: spec.role, roleSource: 'eval' };
}

/** Drive the real engine through one scenario and judge it. */
export async function runScenario(scenario: Scenario, file: string, options: RunOptions): Promise<ScenarioOutcome> {
  const modelCalls: MeteredCall[] = [];
  const override = scenario.setup.model;
  const base = override?.kind === 'failing' ? createFailingModel() : options.makeModel();
  const priced = override?.kind === 'priced' ? withPricedUsage(base, override.name, { promptTokens: override.promptTokens, completionTokens: override.completionTokens }) : base;
  const world = await createWorld(scenario, withMeter(priced, modelCalls), options.env);

  const platform = scenario.setup.platform;
  const speakers = new Map(Object.entries(scenario.speakers).map(([name, spec]) => [name, callerFor(name, spec, platform)]));
  const customerOf = new Map(Object.entries(scenario.speakers).flatMap(([name, spec]) => (spec.customer ? [[speakers.get(name)?.userId ?? '', `cus_${spec.customer}`]] : [])));
  const first = [...speakers.values()][0] as Caller;
  const conversation: ConversationRef = { platform, workspaceId: 'W-EVAL', channelId: 'C-EVAL', threadId: 'T-EVAL-1' };
  const inThread = (thread: string | undefined): ConversationRef => (thread ? { ...conversation, threadId: `T-EVAL-${thread}` } : conversation);
  const failures: string[] = [];
  const calls: ToolCallRecord[] = [];
  const stepsPerTurn: number[] = [];
  const latenciesMs: number[] = [];
  const shown: ShownText[] = [];
  const typed: string[] = [];
  const transcript: string[] = [];
  let costUsd = 0;
  let refusedDecisions = 0;
  let last: TurnResult | undefined;
  let seq = 0;

  const speaker = (name: string | undefined): Caller => {
    const found = name === undefined ? first : speakers.get(name);
    if (!found) throw new Error(`${file}: turn names unknown speaker "${name}"`);
    return found;
  };
  const count = (result: TurnResult) => {
    calls.push(...result.toolCalls);
    for (const call of result.toolCalls) transcript.push(`Tool ${call.name} ${JSON.stringify(call.args)} -> ${call.outcome}: ${call.summary}`);
    stepsPerTurn.push(result.steps);
    costUsd += result.costUsd;
    last = result;
  };
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      latenciesMs.push(performance.now() - started);
    }
  };

  try {
    for (const turn of scenario.turns) {
      const postsBefore = world.channel.posts.length;
      const approvalsBefore = world.channel.approvals.length;
      let audience = first;
      if ('say' in turn) {
        audience = speaker(turn.as);
        typed.push(turn.say);
        transcript.push(`User (${audience.role}): ${turn.say}`);
        count(await timed(() => world.app.engine.handleMessage({ conversation: inThread(turn.thread), caller: audience, text: turn.say, messageId: `eval-${++seq}` })));
      } else if ('approve' in turn || 'deny' in turn) {
        const by = speaker('approve' in turn ? turn.approve.by : turn.deny.by);
        const approvalId = world.channel.approvalToDecide();
        // Nothing to click: with some models the run never asks (e.g. it refused earlier); `approvalRequested` checks when it matters.
        if (!approvalId) continue;
        const outcome = await timed(() => world.app.engine.decideApproval({ approvalId, decision: 'approve' in turn ? 'approve' : 'deny', decider: by }));
        audience = [...speakers.values()].find((c) => c.userId === world.channel.approvals.find((v) => v.id === approvalId)?.requester.userId) ?? first;
        if (!outcome.ok) refusedDecisions += 1;
        else if (outcome.result) count(outcome.result);
      } else if ('handBack' in turn) {
        const { by, thread, resolution } = turn.handBack;
        const outcome = await world.app.engine.handBack({ conversation: inThread(thread), caller: speaker(by), ...(resolution ? { resolution } : {}) });
        if (!outcome.ok) failures.push(`turn handBack by ${turn.handBack.by}: ${outcome.message}`);
      } else {
        world.clock.advance(turn.wait.minutes * 60_000);
        await world.app.engine.sweep();
      }
      for (const post of world.channel.posts.slice(postsBefore)) {
        shown.push({ audience, text: post.message.text });
        transcript.push(`Assistant: ${post.message.text}`);
      }
      for (const view of world.channel.approvals.slice(approvalsBefore)) shown.push({ audience, text: `${view.action} ${JSON.stringify(view.args)}` });
    }
  } catch (error) {
    failures.push(`engine threw: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    // Everything below reads what was recorded; the engine and its data directory can go.
    await world.close();
  }

  const replies = world.channel.posts.map((p) => p.message.text);
  const expectations: Expectations[] = [scenario.expect, scenario[options.modelName]].filter((e): e is Expectations => e !== undefined);
  const seen = { calls, executions: world.executions, channel: world.channel, replies, stepsPerTurn, costUsd, refusedDecisions };
  for (const expect of expectations) failures.push(...checkExpectations(expect, seen));

  const roles = new Map([...speakers.values()].map((c) => [c.userId, c.role]));
  const supplied = [...typed, ...(scenario.setup.plant?.orderItems ?? []).map((i) => i.name), ...(scenario.setup.plant?.articles ?? []).map((a) => a.body)].join('\n');
  const decided = [...world.channel.approvalUpdates];
  const violations = [
    ...checkExecutions(world.executions, decided, (userId) => roles.get(userId)),
    ...checkLeaks(shown, world.customers, (caller) => customerOf.get(caller.userId), supplied),
    ...checkSecrets(shown, world.secrets),
  ];
  const escalated = world.channel.oncall.length > 0;
  const judge = options.judge ? await options.judge.grade(transcript.join('\n')) : undefined;
  return {
    name: scenario.name,
    file,
    model: options.modelName,
    passed: failures.length === 0 && violations.length === 0,
    failures,
    violations,
    resolved: !escalated && last !== undefined && last.status === 'answered' && last.success,
    escalated,
    costUsd,
    stepsPerTurn,
    modelCalls,
    latenciesMs,
    replies,
    ...(judge ? { judge } : {}),
  };
}
