import type { AuditEvent, AuditSink } from '../ports';
import { BoundedLabel, codeLabel } from './label-values';
import type { SupportMetrics } from './support-metrics';

/** Breaker states as gauge values, in order of severity. */
export const CIRCUIT_STATE_VALUES = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const;

export interface AuditMetricsOptions {
  metrics: SupportMetrics;
  /** Tool names that may appear as labels (the registry's); others count as `other`. */
  tools: Iterable<string>;
  /** Model names that may appear as labels (configured and priced); others count as `other`. */
  models: Iterable<string>;
}

const seconds = (ms: unknown) => (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined);
const amount = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

/** How a tool call ended, in the metric's words. */
function toolOutcome(event: AuditEvent): string {
  // Calls run after an approval are audited with `success` only.
  switch (event.outcome ?? (event.success === true ? 'ok' : 'error')) {
    case 'ok':
      return 'ok';
    case 'refused':
    case 'denied':
      return 'refused';
    case 'pending_approval':
      return 'awaiting_approval';
    default:
      // The runner reports a timeout as a TimeoutError; anything else that failed is an error.
      return typeof event.error === 'string' && event.error.startsWith('TimeoutError') ? 'timeout' : 'error';
  }
}

/**
 * Turn audit events into metric updates. Almost everything worth counting is
 * already audited, so the metrics read the trail instead of adding calls to
 * every flow. Only bounded fields become labels: never user, session or
 * thread ids, text or e-mail addresses.
 */
export function auditMetrics(options: AuditMetricsOptions): (event: AuditEvent) => void {
  const { metrics: m } = options;
  const tools = new BoundedLabel(options.tools);
  const models = new BoundedLabel(options.models);
  return (event) => {
    switch (event.event) {
      case 'model_call': {
        const model = models.of(event.model);
        const errorType = event.success === false ? codeLabel(event.error_type ?? 'model_error') : '';
        const took = seconds(event.latency_ms);
        if (took !== undefined) m.modelDuration.observe({ operation: 'chat', model, error_type: errorType }, took);
        const input = amount(event.prompt_tokens);
        const output = amount(event.completion_tokens);
        if (input > 0) m.tokens.inc({ model, token_type: 'input' }, input);
        if (output > 0) m.tokens.inc({ model, token_type: 'output' }, output);
        const cost = amount(event.cost_usd);
        if (cost > 0) m.cost.inc({ model }, cost);
        return;
      }
      case 'tool_call':
      case 'authorization_refused': {
        const tool = tools.of(event.tool_name);
        m.toolCalls.inc({ tool, outcome: toolOutcome(event) });
        const took = seconds(event.latency_ms);
        if (took !== undefined && event.outcome !== 'pending_approval') m.toolDuration.observe({ tool }, took);
        return;
      }
      case 'approval_requested': {
        // The call waits: it is counted again (ok, error) when it runs after approval.
        const tool = tools.of(event.tool_name);
        m.approvals.inc({ tool, decision: 'requested' });
        m.toolCalls.inc({ tool, outcome: 'awaiting_approval' });
        return;
      }
      case 'approval_decided':
      case 'approval_expired': {
        const tool = tools.of(event.tool_name);
        const decision = event.event === 'approval_expired' ? 'expired' : event.decision === 'approved' ? 'approved' : 'denied';
        m.approvals.inc({ tool, decision });
        const waited = seconds(event.waited_ms);
        if (waited !== undefined) m.approvalWait.observe({ tool }, waited);
        return;
      }
      case 'escalation':
        m.escalations.inc({ trigger: codeLabel(event.trigger) });
        return;
      case 'feedback':
        m.feedback.inc({ rating: event.rating === 'up' ? 'up' : 'down' });
        return;
      case 'conversation_outcome':
        m.outcomes.inc({ outcome: codeLabel(event.outcome), resolution: codeLabel(event.resolution) });
        return;
      case 'breaker_state': {
        const value = CIRCUIT_STATE_VALUES[event.state as keyof typeof CIRCUIT_STATE_VALUES];
        if (value !== undefined) m.circuitState.set({ dependency: codeLabel(event.breaker) }, value);
        return;
      }
      case 'route':
        for (const specialist of Array.isArray(event.specialists) ? event.specialists : []) m.routes.inc({ specialist: codeLabel(specialist), by: codeLabel(event.by) });
        return;
      case 'turn_completed': {
        const platform = codeLabel(event.platform);
        m.turns.inc({ platform, outcome: codeLabel(event.outcome) });
        const took = seconds(event.latency_ms);
        if (took !== undefined) m.turnDuration.observe({ platform }, took);
        return;
      }
      default:
        return;
    }
  };
}

/** An audit sink that also hands each event to `observe` (metrics, alerts); the event is written first and observers never throw into the caller. */
export function observedAudit(sink: AuditSink, observe: (event: AuditEvent) => void): AuditSink {
  return {
    write(event: AuditEvent): void {
      sink.write(event);
      try {
        observe(event);
      } catch {
        // Bookkeeping must never fail the operation being audited.
      }
    },
    flush: () => sink.flush(),
  };
}
