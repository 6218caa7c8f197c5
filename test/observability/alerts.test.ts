import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors';
import type { Alert } from '../../src/ports';
import { EngineHarness } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

let harness: EngineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const MINUTE = 60_000;
const health = (alerts: Alert[]) => alerts.filter((a) => a.kind === 'health').map((a) => a.text);

async function create(env: Record<string, string>, model = new ScriptedModel()): Promise<{ h: EngineHarness; model: ScriptedModel }> {
  harness = await EngineHarness.create({ env: { BREAKER_FAILURES: '1000', MODEL_MAX_ATTEMPTS: '1', ...env }, model });
  return { h: harness, model };
}

let thread = 0;
/** `n` turns on fresh threads, each failing because the model rejects the request. */
async function failingTurns(h: EngineHarness, model: ScriptedModel, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    model.push(new ModelError('rejected', { status: 400 }));
    await h.send('Hello', { conversation: h.conversation(`fail-${++thread}`) });
  }
}

describe('alerts to on-call', () => {
  it('error rate over 5 minutes above ALERT_ERROR_RATE alerts once an hour', async () => {
    const { h, model } = await create({ ALERT_ERROR_RATE: '0.5' });
    model.push(answer('ok'), answer('ok'), answer('ok'));
    for (const t of ['a', 'b', 'c']) await h.send('Hi', { conversation: h.conversation(t) });
    await failingTurns(h, model, 2);
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([]); // 2 of 5 failed: 40 %, not above 50 %

    await failingTurns(h, model, 2);
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([expect.stringMatching(/57% of turns failed in the last 5 minutes \(4 of 7/)]);

    // Still failing half an hour later: no second alert within the hour.
    h.clock.advance(30 * MINUTE);
    await failingTurns(h, model, 5);
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toHaveLength(1);

    // An hour after the first, the condition still holding alerts again.
    h.clock.advance(31 * MINUTE);
    await failingTurns(h, model, 5);
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toHaveLength(2);
  });

  it('p95 turn latency above ALERT_P95_SECONDS alerts', async () => {
    const model = new ScriptedModel();
    const { h } = await create({ ALERT_P95_SECONDS: '30' }, model);
    model.fallback = () => {
      h.clock.advance(40_000); // the model takes 40 s
      return answer('slow answer');
    };
    for (let i = 0; i < 5; i++) await h.send('Hi', { conversation: h.conversation(`slow-${i}`) });
    await h.engine.sweep();
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([expect.stringMatching(/p95 latency 40\.0 s over the last 5 minutes/)]);
  });

  it('a breaker open for more than a minute alerts, once', async () => {
    const { h, model } = await create({ BREAKER_FAILURES: '1', BREAKER_COOLDOWN_MS: '600000' });
    model.push(new ModelError('upstream down', { status: 503 }));
    await h.send('Hello');
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([]); // just opened
    h.clock.advance(MINUTE + 1);
    await h.engine.sweep();
    h.clock.advance(MINUTE);
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([expect.stringMatching(/Circuit breaker model has been open for 60 s/)]);
  });

  it('an hour costing over three times the monthly budget hourly share alerts', async () => {
    const { h, model } = await create({
      // $0.1 per token: each 120-token call costs $12. Budget 7300/month: $10 an hour, alert above $30.
      MODEL_PRICES: JSON.stringify({ 'gpt-4o-mini': { input: 100_000, output: 100_000 } }),
      BUDGET_MONTHLY_USD: '7300',
      BUDGET_REQUEST_USD: '1000',
      BUDGET_USER_DAILY_USD: '10000',
    });
    model.push(answer('one'), answer('two'));
    await h.send('Hi', { conversation: h.conversation('c1') });
    await h.send('Hi', { conversation: h.conversation('c2') });
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([]); // $24
    model.push(answer('three'));
    await h.send('Hi', { conversation: h.conversation('c3') });
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toEqual([expect.stringMatching(/Spend in the last hour is \$36\.00, over three times .* \(\$10\.00\)/)]);
    // The spend ages out of the window after an hour; no repeat without new spend.
    h.clock.advance(61 * MINUTE);
    await h.engine.sweep();
    expect(health(h.channel.alerts)).toHaveLength(1);
  });
});
