import { BudgetExceededError, describeError, AppError, ModelError } from '../errors';
import type { BudgetGuard, Reservation } from '../budget/budget-guard';
import type { BudgetLedger } from '../budget/budget-ledger';
import { ESCALATE_TOOL_NAME } from '../escalation/escalate-tool';
import type { EscalationTrigger } from '../escalation/triggers';
import type { Span } from '@opentelemetry/api';
import type { AuditSink, Caller, ModelClient, ModelResponse, ModelToolCall, ModelUsage, Source, ToolCallRecord, TurnError, Urgency } from '../ports';
import { endChatSpan, failSpan, startChatSpan, startToolSpan, type AgentTracing } from '../telemetry/gen-ai-spans';
import type { RunDisplay } from './run-display';
import type { Resilience } from '../resilience/policies';
import { trimHistory } from '../sessions/history';
import type { SessionState } from '../sessions/session-state';
import type { ToolRegistry } from '../tools/registry';
import type { SpecialistDirectory } from '../specialists/specialist-directory';
import type { ChannelTools } from '../channel-config/channel-tools';
import { TRANSFER_TOOL_NAME } from '../specialists/transfer-tool';
import { memoryPrompt } from '../memory/memory-flow';
import { estimateMessageTokens, estimateTokens, estimateToolTokens } from './tokens';
import type { ExecutionJournal } from './execution-journal';
import { actionSummary, runToolCall, type CallNeedingApproval } from './tool-runner';

/** Bounds fan-out when a model asks for many calls at once. */
const MAX_CALLS_PER_STEP = 8;

export interface LoopDeps {
  model: ModelClient;
  registry: ToolRegistry;
  resilience: Resilience;
  budget: BudgetGuard;
  audit: AuditSink;
  now: () => number;
  /** Records side-effecting tool executions so a re-applied decision never repeats them blindly. */
  journal: ExecutionJournal;
  maxSteps: number;
  historyTokenBudget: number;
  maxOutputTokens: number;
  /** Failed tool calls in one run before a human is brought in. */
  toolFailuresBeforeEscalation: number;
  systemPrompt: (caller: Caller) => string;
  /** OpenTelemetry spans for runs, model calls and tool calls; absent when tracing is off. */
  tracing?: AgentTracing;
  /** Routed conversations see only their specialists' tools and instructions; absent = every tool. */
  specialists?: SpecialistDirectory;
  /** Each channel offers only its tool sources (AGENT_CONFIG `channels:`); absent = every tool everywhere. */
  channelTools?: ChannelTools;
  /** Set per step from `channelTools`: why a tool may not run in this conversation. */
  refuse?: (toolName: string) => string | undefined;
}

/** Progress of one run; carried across an approval pause. */
export interface RunProgress {
  session: SessionState;
  caller: Caller;
  steps: number;
  costUsd: number;
  toolCalls: ToolCallRecord[];
  errors: TurnError[];
  failures: number;
  /** Budget book of this run; flushed by whoever finishes the run. */
  ledger: BudgetLedger;
  /** The run's `invoke_agent` span, parent of its model and tool spans. */
  span?: Span;
  /** Streamed text and tool steps, where the platform shows them. */
  display?: RunDisplay;
  /** Aborted when someone stops the run. */
  signal?: AbortSignal;
  /** Documents the run's tool results drew on, cited under the answer. */
  sources?: Source[];
}

export type LoopOutcome =
  | { kind: 'final'; reply: string }
  | { kind: 'paused'; approvals: CallNeedingApproval[] }
  | { kind: 'escalate'; trigger: EscalationTrigger; reason: string; urgency: Urgency; reply: string }
  | { kind: 'max_steps'; reply: string }
  /** Stopped by a person: the model call was aborted or no further step started. */
  | { kind: 'stopped' };

export const FALLBACK_REPLIES = {
  modelUnavailable:
    "Sorry — I'm having trouble reaching my assistant service right now, so I've asked a human teammate to help. They'll reply here.",
  maxSteps:
    "Sorry — I couldn't finish this one on my own. I've stopped here so nothing half-done happens; reply *human* and a teammate will take over, or rephrase and I'll try again.",
  empty: "I'm not sure how to help with that. Could you tell me a bit more, or reply *human* to reach a person?",
  toolFailures: "Sorry — our systems aren't responding properly, so I've asked a human teammate to take over. They'll reply here.",
} as const;

const budgetReply = (error: BudgetExceededError) =>
  `${error.message} I've stopped before spending anything more and asked a human teammate to help you here.`;

/**
 * The tool-calling loop: ask the model, run the tools it calls (concurrently,
 * each checked and guarded), feed the results back, until a final answer, a
 * pause for approval, an escalation, or the step limit.
 */
export async function runLoop(deps: LoopDeps, run: RunProgress): Promise<LoopOutcome> {
  const { session, caller } = run;

  while (run.steps < deps.maxSteps) {
    if (run.signal?.aborted) return { kind: 'stopped' };
    run.steps += 1;
    const step = run.steps;
    // Per step: a transfer in the previous step changes the tools and instructions of this one.
    const view = deps.specialists?.view(session);
    const stepDeps = channelScoped(deps, session, view ? { ...deps, registry: view.registry, ...(view.model ? { model: view.model } : {}) } : deps);
    const specs = stepDeps.registry.allSpecs();
    const messages = [{ role: 'system' as const, content: deps.systemPrompt(caller) + (view?.instructions ?? '') + memoryPrompt(session.memory) }, ...trimHistory(session.history, deps.historyTokenBudget)];
    const promptTokens = estimateTokens(messages) + estimateToolTokens(specs);

    let reservation;
    try {
      reservation = await run.ledger.reserve(deps.budget.estimate(stepDeps.model.model, promptTokens, deps.maxOutputTokens), run.costUsd);
    } catch (error) {
      if (!(error instanceof BudgetExceededError)) throw error;
      deps.audit.write({ event: 'budget_refused', user_id: caller.userId, session_id: session.id, agent_step: step, scope: error.scope, success: false, error: error.code });
      run.errors.push({ code: `budget_${error.scope}`, message: error.message });
      return { kind: 'escalate', trigger: 'budget_exhausted', reason: `Budget limit reached (${error.scope})`, urgency: 'normal', reply: budgetReply(error) };
    }

    const started = deps.now();
    const chatSpan = deps.tracing && startChatSpan(deps.tracing, run.span, { model: stepDeps.model.model, maxTokens: deps.maxOutputTokens, messages });
    // Attempts that failed after the server reported usage were billed: collect them across retries.
    const billed: ModelUsage[] = [];
    let response: ModelResponse;
    try {
      const display = run.display;
      const request = { messages, tools: specs, maxOutputTokens: deps.maxOutputTokens, ...(display ? { onText: (delta: string) => display.append(delta) } : {}) };
      response = await deps.resilience.model(async (signal) => {
        try {
          return await stepDeps.model.complete(request, run.signal ? AbortSignal.any([signal, run.signal]) : signal);
        } catch (error) {
          if (error instanceof ModelError && error.usage) billed.push(error.usage);
          // A stop is not the model's fault: no retry, and the breaker does not count it.
          if (run.signal?.aborted) throw new AppError('turn_stopped', 'The run was stopped', { cause: error });
          throw error;
        }
      });
    } catch (error) {
      if (chatSpan) endChatSpan(deps.tracing!, chatSpan, { error });
      recordBilledAttempts(stepDeps, run, reservation, billed, step);
      if (run.signal?.aborted) {
        // Stopped mid-answer: bill what was asked and what streamed, on our estimate.
        const streamed = estimateMessageTokens({ role: 'assistant', content: run.display?.streamed ?? '' });
        run.costUsd += run.ledger.record(reservation, { model: stepDeps.model.model, promptTokens, completionTokens: streamed, sessionId: session.id });
        return { kind: 'stopped' };
      }
      run.ledger.record(reservation, undefined);
      const code = error instanceof AppError ? error.code : 'model_error';
      deps.audit.write({ event: 'model_call', user_id: caller.userId, session_id: session.id, agent_step: step, model: stepDeps.model.model, latency_ms: deps.now() - started, success: false, error: describeError(error), error_type: code });
      run.errors.push({ code, message: describeError(error) });
      return { kind: 'escalate', trigger: 'model_unavailable', reason: 'The AI model is unavailable', urgency: 'normal', reply: FALLBACK_REPLIES.modelUnavailable };
    }

    recordBilledAttempts(stepDeps, run, reservation, billed, step);
    // Servers that omit usage are billed on our estimate, never for free.
    const usage = response.usage ?? {
      promptTokens,
      completionTokens: estimateMessageTokens({ role: 'assistant', content: response.content, toolCalls: response.toolCalls }),
    };
    if (chatSpan) endChatSpan(deps.tracing!, chatSpan, { response, usage });
    const model = response.model ?? stepDeps.model.model;
    const cost = run.ledger.record(reservation, { model, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, sessionId: session.id });
    run.costUsd += cost;
    deps.audit.write({
      event: 'model_call',
      user_id: caller.userId,
      session_id: session.id,
      agent_step: step,
      model,
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      cost_usd: cost,
      latency_ms: deps.now() - started,
      success: true,
      ...(response.usage ? {} : { usage_estimated: true }),
      tool_calls: response.toolCalls.map((c) => c.name),
    });

    if (response.toolCalls.length === 0) {
      const reply = response.content?.trim() || FALLBACK_REPLIES.empty;
      session.history.push({ role: 'assistant', content: reply });
      return { kind: 'final', reply };
    }

    const calls = response.toolCalls.slice(0, MAX_CALLS_PER_STEP).map((call, i) => ({ ...call, id: call.id || `call_${step}_${i}` }));
    session.history.push({ role: 'assistant', content: response.content, toolCalls: calls });
    const scope = { caller, conversation: session.conversation, sessionId: session.id, step };
    // A call to a tool outside the specialist's subset is unknown to the registry it runs against.
    const outcomes = await Promise.all(calls.map((call) => shownToolCall(stepDeps, run, call, scope)));

    const approvals: CallNeedingApproval[] = [];
    let escalation: { reason: string; urgency: Urgency } | undefined;
    for (const outcome of outcomes) {
      run.toolCalls.push(outcome.record);
      if (outcome.kind === 'done' && outcome.record.outcome === 'ok') collectSources(deps, run, outcome.call.name, outcome.content);
      if (outcome.kind === 'approval') {
        approvals.push(outcome);
        continue;
      }
      session.history.push({ role: 'tool', toolCallId: outcome.call.id, content: outcome.content });
      session.actions.push({ at: deps.now(), tool: outcome.call.name, outcome: outcome.record.outcome, summary: actionSummary(outcome.record.args, outcome.record.outcome, outcome.content) });
      if (outcome.failed) {
        run.failures += 1;
        run.errors.push({ code: 'tool_failed', message: `${outcome.call.name}: ${outcome.record.summary}` });
      }
      if (outcome.call.name === TRANSFER_TOOL_NAME && outcome.record.outcome === 'ok' && deps.specialists) {
        deps.specialists.transfer(session, caller, String(outcome.args?.specialist ?? ''), String(outcome.args?.reason ?? ''));
      }
      if (outcome.call.name === ESCALATE_TOOL_NAME && outcome.record.outcome === 'ok') {
        const args = outcome.args ?? {};
        escalation = { reason: String(args.reason ?? 'The assistant asked for a human'), urgency: (args.urgency as Urgency | undefined) ?? 'normal' };
      }
    }
    session.actions.splice(0, Math.max(0, session.actions.length - 20));

    if (escalation) {
      // Calls waiting for approval are abandoned: humans take over the whole conversation.
      for (const pending of approvals) {
        session.history.push({ role: 'tool', toolCallId: pending.call.id, content: JSON.stringify({ cancelled: 'Conversation handed to a human.' }) });
      }
      const reply = response.content?.trim() || "I've asked a human teammate to join this conversation. They'll reply here.";
      return { kind: 'escalate', trigger: 'model_tool', reason: escalation.reason, urgency: escalation.urgency, reply };
    }
    if (approvals.length > 0) return { kind: 'paused', approvals };
    // Tools already running finished and were recorded; no new step starts.
    if (run.signal?.aborted) return { kind: 'stopped' };
    if (run.failures >= deps.toolFailuresBeforeEscalation) {
      return { kind: 'escalate', trigger: 'tool_failures', reason: `${run.failures} tool calls failed`, urgency: 'normal', reply: FALLBACK_REPLIES.toolFailures };
    }
  }
  session.history.push({ role: 'assistant', content: FALLBACK_REPLIES.maxSteps });
  return { kind: 'max_steps', reply: FALLBACK_REPLIES.maxSteps };
}

/**
 * The step's tools as the conversation's channel sees them: only its sources
 * are offered, and a call to a tool it does not enable is refused (audited),
 * even one the registry has.
 */
function channelScoped(deps: LoopDeps, session: SessionState, stepDeps: LoopDeps): LoopDeps {
  const channelTools = deps.channelTools;
  if (!channelTools) return stepDeps;
  const registry = channelTools.restrict(session.conversation, stepDeps.registry);
  if (registry === stepDeps.registry) return stepDeps;
  const refuse = (name: string) =>
    deps.registry.get(name) !== undefined && !channelTools.allows(session.conversation, name)
      ? `${name} is not available in this channel. Tools are chosen per channel by the workspace and cannot be enabled from the conversation. Use the tools provided, or offer a human.`
      : undefined;
  return { ...stepDeps, registry, refuse };
}

/** Remember what a tool's output cites, for the answer's "Sources" line. */
function collectSources(deps: LoopDeps, run: RunProgress, toolName: string, content: string): void {
  const cite = deps.registry.get(toolName)?.sources;
  if (!cite) return;
  try {
    (run.sources ??= []).push(...cite(content));
  } catch {
    // a citation extractor never breaks the run
  }
}

/** A tool call, shown as a progress step where the platform streams, and traced when tracing is on. */
async function shownToolCall(deps: LoopDeps, run: RunProgress, call: ModelToolCall, scope: Parameters<typeof runToolCall>[2]) {
  const display = run.display;
  const title = display ? progressTitle(deps, call) : '';
  display?.progress({ id: call.id, title, status: 'in_progress' });
  const outcome = deps.tracing ? await tracedToolCall(deps, deps.tracing, run, call, scope) : await runToolCall(deps, call, scope);
  display?.progress({ id: call.id, title, status: outcome.kind === 'done' && outcome.record.outcome !== 'ok' ? 'error' : 'complete' });
  return outcome;
}

/** `Looking up order ORD-1001` from the tool's own words, else its name in words. */
function progressTitle(deps: LoopDeps, call: ModelToolCall): string {
  const tool = deps.registry.get(call.name);
  if (tool?.progress) {
    try {
      const parsed = tool.input.safeParse(JSON.parse(call.arguments || '{}'));
      if (parsed.success) return tool.progress(parsed.data);
    } catch {
      // fall through to the name
    }
  }
  const words = call.name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A tool call inside its `execute_tool` span. */
async function tracedToolCall(deps: LoopDeps, tracing: AgentTracing, run: RunProgress, call: ModelToolCall, scope: Parameters<typeof runToolCall>[2]) {
  const span = startToolSpan(tracing, run.span, { name: call.name, callId: call.id, args: call.arguments });
  try {
    const outcome = await runToolCall(deps, call, scope);
    span.setAttribute('support.tool.outcome', outcome.record.outcome);
    if (outcome.kind === 'done' && outcome.failed) failSpan(span, { code: 'tool_error' });
    return outcome;
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Count and audit failed attempts the server billed, so their cost is not lost with the retry. */
function recordBilledAttempts(deps: LoopDeps, run: RunProgress, reservation: Reservation, billed: readonly ModelUsage[], step: number): void {
  for (const usage of billed) {
    const cost = run.ledger.recordBilledAttempt(reservation, { model: deps.model.model, ...usage, sessionId: run.session.id });
    run.costUsd += cost;
    deps.audit.write({
      event: 'model_call',
      user_id: run.caller.userId,
      session_id: run.session.id,
      agent_step: step,
      model: deps.model.model,
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      cost_usd: cost,
      success: false,
      error: 'billed_failed_attempt',
    });
  }
}
