import { budgetUserKey } from '../budget/budget-guard';
import { runLoop, type LoopDeps, type LoopOutcome, type RunProgress } from '../agent/run-loop';
import type { CallNeedingApproval } from '../agent/tool-runner';
import { newId } from '../ids';
import type { ChatMessage, ModelClient } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { ConsultationLedger, SharedRequestSpend } from './consultation-ledger';

/** Fewer steps than this per specialist (look something up, then answer) and the one union loop runs instead. */
const MIN_STEPS_PER_CONSULTATION = 2;

/** What a consultation that also wanted an approval tells the customer, and its model. */
const deferredNote = (name: string) =>
  `The ${name} part needs an approval as well; I'll ask for it once the request above is decided: just ask me again then.`;
const deferredResult = JSON.stringify({ deferred: 'Another approval in this conversation is pending; this call was not requested. Ask the customer to ask again once it is decided.' });
const cancelledResult = JSON.stringify({ cancelled: 'Conversation handed to a human.' });

/**
 * The steps each consultation may use: an equal share of what is left of
 * MAX_STEPS, so all of them together never take more than one run would.
 */
export function consultationSteps(stepsLeft: number, specialists: number): number {
  return Math.floor(stepsLeft / specialists);
}

/**
 * Run a turn. A message that spans domains (its route says `consult`) is
 * given to each matching specialist at the same time, each with only its
 * own tools and instructions and its share of the steps, and the parts are
 * shown as one answer; a consultation paused for an approval resumes alone
 * after the decision. Everything else runs the one loop.
 */
export async function runTurn(deps: LoopDeps, run: RunProgress): Promise<LoopOutcome> {
  const { session } = run;
  const directory = deps.specialists;
  const paused = session.consultation;
  if (paused) {
    session.consultation = undefined;
    // Only the run resumed after the decision continues it; a new turn (after a hand-off, say) starts afresh.
    if (directory && run.steps > 0) return resumeConsultation(deps, run, paused);
  }
  const route = session.route;
  if (directory && route?.consult) {
    delete route.consult;
    const names = route.specialists.filter((n) => directory.get(n));
    const share = consultationSteps(deps.maxSteps - run.steps, names.length);
    if (directory.consultsInParallel && names.length > 1 && share >= MIN_STEPS_PER_CONSULTATION) return consultInParallel(deps, run, names, share);
  }
  return runLoop(deps, run);
}

/** One specialist's consultation: a copy of the session routed to it alone, and its own run. */
interface Consultation {
  name: string;
  session: SessionState;
  run: RunProgress;
  /** Where its own messages start in its copy of the history. */
  from: number;
}

function startConsultation(deps: LoopDeps, run: RunProgress, name: string, steps: number, shared: SharedRequestSpend): Consultation {
  const { consult: _consult, ...route } = run.session.route ?? { by: 'rules' as const, at: 0, transfers: 0 };
  const session: SessionState = { ...run.session, history: [...run.session.history], actions: [], route: { ...route, specialists: [name] } };
  return {
    name,
    session,
    from: session.history.length,
    run: {
      session,
      caller: run.caller,
      steps,
      costUsd: 0,
      toolCalls: [],
      errors: [],
      failures: 0,
      ledger: new ConsultationLedger(deps.budget, budgetUserKey(run.caller), run.ledger, shared),
      ...(run.span ? { span: run.span } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
    },
  };
}

/** The loop's dependencies for one consultation: its share of steps, consultation views, call ids of its own. */
function consultationDeps(deps: LoopDeps, name: string, maxSteps: number): LoopDeps {
  return { ...deps, maxSteps, model: withOwnCallIds(deps.model, name), ...(deps.specialists ? { specialists: deps.specialists.consultations } : {}) };
}

async function consult(deps: LoopDeps, run: RunProgress, c: Consultation, maxSteps: number): Promise<LoopOutcome> {
  const step = { id: `consult_${c.name}`, title: `Asking the ${c.name.replace(/_/g, ' ')} specialist` };
  run.display?.progress({ ...step, status: 'in_progress' });
  try {
    const outcome = await runLoop(consultationDeps(deps, c.name, maxSteps), c.run);
    run.display?.progress({ ...step, status: outcome.kind === 'escalate' ? 'error' : 'complete' });
    return outcome;
  } catch (error) {
    run.display?.progress({ ...step, status: 'error' });
    throw error;
  }
}

async function consultInParallel(deps: LoopDeps, run: RunProgress, names: string[], share: number): Promise<LoopOutcome> {
  const shared = new SharedRequestSpend(run.costUsd);
  const consultations = names.map((name) => startConsultation(deps, run, name, 0, shared));
  // allSettled: a consultation that throws must not leave the others' spend and history behind.
  const settled = await Promise.allSettled(consultations.map((c) => consult(deps, run, c, share)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const outcomes = settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  for (const c of consultations) absorb(run, c);
  if (failed) {
    consultations.forEach((c, i) => mergeHistory(run.session, c, outcomes[i], true));
    throw failed.reason;
  }
  return combine(run, consultations, outcomes as LoopOutcome[], share);
}

/**
 * One answer from the parts: a stop or a hand-off decides for the whole
 * turn; an approval pauses the turn after the finished parts are shown (a
 * second consultation wanting an approval is deferred); otherwise the parts
 * are joined in the route's order.
 */
function combine(run: RunProgress, consultations: Consultation[], outcomes: LoopOutcome[], share: number): LoopOutcome {
  const session = run.session;
  const parts = outcomes.map((o) => ('reply' in o && o.kind !== 'escalate' ? o.reply : ''));
  const stopped = outcomes.some((o) => o.kind === 'stopped');
  const escalation = outcomes.find((o): o is Extract<LoopOutcome, { kind: 'escalate' }> => o.kind === 'escalate');
  const pausedAt = stopped || escalation ? -1 : outcomes.findIndex((o) => o.kind === 'paused');

  consultations.forEach((c, i) => {
    const outcome = outcomes[i]!;
    if (outcome.kind === 'paused' && i !== pausedAt) {
      // Its calls were never requested: the model is told so, and the customer hears this part waits.
      answerPending(c.session, outcome.approvals, stopped || escalation ? cancelledResult : deferredResult);
      if (!stopped && !escalation) parts[i] = deferredNote(c.name);
    }
    if (i !== pausedAt) mergeHistory(session, c, outcome, true);
  });
  const shown = parts.filter((p) => p.trim() !== '');

  if (stopped) return { kind: 'stopped' };
  if (escalation) return { ...escalation, reply: [...shown, escalation.reply].join('\n\n') };
  if (pausedAt >= 0) {
    const c = consultations[pausedAt]!;
    const outcome = outcomes[pausedAt] as Extract<LoopOutcome, { kind: 'paused' }>;
    mergeHistory(session, c, outcome, false);
    // The finished parts go out now, with the paused one's lead-in; its answer follows the decision.
    const lead = session.history.findLast((m) => m.role === 'assistant');
    if (lead?.role === 'assistant' && shown.length > 0) lead.content = [...shown, lead.content?.trim() ?? ''].filter(Boolean).join('\n\n');
    session.consultation = { specialist: c.name, steps: c.run.steps, maxSteps: share };
    return outcome;
  }
  // A part that asks the customer something goes last, so the answer ends with its question.
  const reply = [...shown.filter((p) => !asks(p)), ...shown.filter(asks)].join('\n\n');
  session.history.push({ role: 'assistant', content: reply });
  return outcomes.some((o) => o.kind === 'final') ? { kind: 'final', reply } : { kind: 'max_steps', reply };
}

/** After the decision: the paused specialist continues alone, with its tools and what is left of its share. */
async function resumeConsultation(deps: LoopDeps, run: RunProgress, paused: NonNullable<SessionState['consultation']>): Promise<LoopOutcome> {
  // Room to answer after the decision even if the pause came on its last step (as for any resumed run).
  const c = startConsultation(deps, run, paused.specialist, Math.min(paused.steps, paused.maxSteps - 1), new SharedRequestSpend(run.costUsd));
  const startSteps = c.run.steps;
  let outcome: LoopOutcome | undefined;
  try {
    outcome = await consult(deps, run, c, paused.maxSteps);
    return outcome;
  } finally {
    c.run.steps -= startSteps;
    absorb(run, c);
    mergeHistory(run.session, c, outcome, false);
    if (outcome?.kind === 'paused') run.session.consultation = { specialist: c.name, steps: startSteps + c.run.steps, maxSteps: paused.maxSteps };
  }
}

/** Add a consultation's steps, spend, tool calls, errors, sources and actions to the turn's run. */
function absorb(run: RunProgress, c: Consultation): void {
  run.steps += c.run.steps;
  run.costUsd += c.run.costUsd;
  run.toolCalls.push(...c.run.toolCalls);
  run.errors.push(...c.run.errors);
  run.failures += c.run.failures;
  if (c.run.sources?.length) (run.sources ??= []).push(...c.run.sources);
  run.session.actions.push(...c.session.actions);
  run.session.actions.splice(0, Math.max(0, run.session.actions.length - 20));
}

/**
 * Append what a consultation added to the history. Without its final text
 * when `withoutAnswer` (the joined answer replaces the parts); its tool
 * calls and results stay, in pairs, for the next turns.
 */
function mergeHistory(session: SessionState, c: Consultation, outcome: LoopOutcome | undefined, withoutAnswer: boolean): void {
  const added = c.session.history.slice(c.from);
  const last = added.at(-1);
  if (withoutAnswer && outcome && outcome.kind !== 'paused' && last?.role === 'assistant' && !last.toolCalls?.length) added.pop();
  session.history.push(...added);
}

/** Whether a part ends by asking the customer something (a question in its last paragraph). */
const asks = (part: string) => (part.trim().split(/\n\s*\n/).at(-1) ?? '').includes('?');

function answerPending(session: SessionState, approvals: readonly CallNeedingApproval[], content: string): void {
  for (const pending of approvals) session.history.push({ role: 'tool', toolCallId: pending.call.id, content } satisfies ChatMessage);
}

/**
 * The same model, with tool-call ids the consultations cannot share: ids
 * are idempotency keys, and two loops filling in missing ids by step number
 * would give two different calls the same key.
 */
function withOwnCallIds(model: ModelClient, name: string): ModelClient {
  return {
    model: model.model,
    mode: model.mode,
    ...(model.health ? { health: () => model.health!() } : {}),
    async complete(request, signal) {
      const response = await model.complete(request, signal);
      return { ...response, toolCalls: response.toolCalls.map((call) => (call.id ? call : { ...call, id: newId(`call_${name}`) })) };
    },
  };
}
