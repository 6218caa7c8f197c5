import { budgetUserKey } from '../budget/budget-guard';
import { BudgetLedger } from '../budget/budget-ledger';
import type { EngineContext } from '../engine-context';
import { describeError } from '../errors';
import type { Caller } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { estimateTokens } from '../agent/tokens';
import { routeWithModel, routerPrompt } from './model-router';
import { GENERAL_SPECIALIST, type RouteSource } from './specialist';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type RouteConversationDeps = Pick<EngineContext, 'model' | 'resilience' | 'budget' | 'audit' | 'logger' | 'clock' | 'specialists' | 'routerModel'>;

/**
 * Route a conversation on its first message: the specialists' rules first;
 * when they do not decide, the router model (the offline model routes with
 * its own deterministic rules, no call). Invalid model output, an error or
 * an exhausted budget routes to `general`. The route is stored in the
 * session and audited as a `route` event.
 */
export async function routeConversation(ctx: RouteConversationDeps, session: SessionState, caller: Caller, text: string): Promise<void> {
  const directory = ctx.specialists;
  if (!directory) return;
  if (session.route) return rerouteByRules(ctx, session, caller, text);
  let specialists: string[] = directory.rules.match(text).filter((n) => n !== GENERAL_SPECIALIST);
  let by: RouteSource = 'rules';
  let reason: string | undefined;
  if (specialists.length === 0) {
    const router = ctx.routerModel ?? ctx.model;
    if (router.mode === 'offline') {
      specialists = directory.offline.route(text);
      by = 'offline';
    } else {
      const chosen = await askRouter(ctx, session, caller, text);
      specialists = chosen.specialists ?? [GENERAL_SPECIALIST];
      by = chosen.specialists ? 'model' : 'fallback';
      reason = chosen.reason;
    }
  }
  // Separate requests for separate specialists are consulted in parallel; one request two rules match runs one loop with both.
  const consult = specialists.length > 1 && (by === 'model' || directory.rules.spansParts(by === 'offline' ? directory.offline.correct(text) : text, specialists));
  session.route = { specialists, by, at: ctx.clock.now(), transfers: 0, ...(consult ? { consult } : {}) };
  ctx.audit.write({ event: 'route', user_id: caller.userId, session_id: session.id, specialists, by, ...(reason ? { reason } : {}), success: true });
}

/**
 * A later message whose rules clearly name other specialists moves the
 * conversation to them (audited as a hand-over): a customer who changes the
 * subject is not stuck with the first specialist's tools.
 */
function rerouteByRules(ctx: RouteConversationDeps, session: SessionState, caller: Caller, text: string): void {
  const route = session.route!;
  const matched = ctx.specialists!.rules.match(text).filter((n) => n !== GENERAL_SPECIALIST);
  if (matched.length === 0 || matched.every((n) => route.specialists.includes(n))) return;
  const from = route.specialists;
  session.route = { specialists: matched, by: 'rules', at: ctx.clock.now(), transfers: route.transfers + 1, ...(matched.length > 1 && ctx.specialists!.rules.spansParts(text, matched) ? { consult: true } : {}) };
  ctx.audit.write({ event: 'route', user_id: caller.userId, session_id: session.id, specialists: matched, from, by: 'rules', success: true });
}

/** One router-model call, budgeted and audited like any model call. */
async function askRouter(ctx: RouteConversationDeps, session: SessionState, caller: Caller, text: string): Promise<{ specialists?: string[]; reason?: string }> {
  const directory = ctx.specialists!;
  const router = ctx.routerModel ?? ctx.model;
  const ledger = new BudgetLedger(ctx.budget, budgetUserKey(caller));
  const promptTokens = estimateTokens([{ role: 'system', content: routerPrompt(directory.specialists) }, { role: 'user', content: text }]);
  const started = ctx.clock.now();
  try {
    const reservation = await ledger.reserve(ctx.budget.estimate(router.model, promptTokens, 60), 0);
    try {
      const result = await ctx.resilience.model((signal) => routeWithModel(router, directory.specialists, text, signal));
      const usage = result.usage ?? { promptTokens, completionTokens: 20 };
      const cost = ledger.record(reservation, { model: result.model, ...usage, sessionId: session.id });
      ctx.audit.write({
        event: 'model_call', purpose: 'route', user_id: caller.userId, session_id: session.id, model: result.model,
        prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, cost_usd: cost, latency_ms: ctx.clock.now() - started,
        success: result.specialists !== undefined, ...(result.specialists ? {} : { error: 'invalid_router_output' }),
      });
      return { ...(result.specialists ? { specialists: result.specialists } : {}), ...(result.reason ? { reason: result.reason } : {}) };
    } catch (error) {
      ledger.record(reservation, undefined);
      throw error;
    }
  } catch (error) {
    ctx.logger.warn({ sessionId: session.id, err: describeError(error) }, 'routing failed; general takes the conversation');
    return {};
  } finally {
    await ledger.flush().catch((error: unknown) => ctx.logger.error({ err: describeError(error) }, 'router spend not recorded'));
  }
}
