import { spendKeys } from '../budget/budget-guard';
import { periodOf } from '../budget/periods';
import { DEFAULT_PRICES } from '../budget/prices';
import type { EngineConfig } from '../config';
import type { Engine, Store } from '../ports';
import { CIRCUIT_STATE_VALUES } from './audit-metrics';
import { codeLabel } from './label-values';
import type { SupportMetrics } from './support-metrics';

/** Model names that may appear as labels: the configured model, the served one and every priced model. */
export function knownModels(config: EngineConfig, served: string): string[] {
  return [config.openai.model, served, ...Object.keys(DEFAULT_PRICES), ...Object.keys(config.budget.prices)];
}

/**
 * Gauges read at scrape time from live state: engine status (sessions,
 * queue, approvals, escalations, breakers) and the month's spend counter.
 */
export function collectAppGauges(options: { metrics: SupportMetrics; engine: Engine; store: Store; config: EngineConfig; now: () => number }): void {
  const { metrics: m, engine, store, config, now } = options;
  m.addCollector(async () => {
    const status = await engine.status();
    m.activeSessions.set(status.activeSessions);
    m.queuedMessages.set(status.queuedMessages ?? 0);
    m.pendingApprovals.set(status.pendingApprovals);
    m.escalationsOpen.set(status.openEscalations);
    for (const breaker of status.breakers) m.circuitState.set({ dependency: codeLabel(breaker.name) }, CIRCUIT_STATE_VALUES[breaker.state]);
  });
  m.addCollector(async () => {
    const { today } = await engine.outcomes();
    const rates = {
      automation: today.automationRate,
      first_contact_resolution: today.firstContactResolutionRate,
      escalation: today.escalationRate,
      csat: today.csat,
    };
    for (const [rate, value] of Object.entries(rates)) {
      if (value === undefined) m.outcomeRate.remove({ rate });
      else m.outcomeRate.set({ rate }, value);
    }
  });
  m.addCollector(async () => {
    if (config.budget.monthlyUsd <= 0) return;
    const spent = await store.counter(spendKeys.month(periodOf(now(), config.budget.timezone).month));
    m.budgetUsed.set({ period: 'month' }, spent / config.budget.monthlyUsd);
  });
}
