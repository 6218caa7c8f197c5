import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseScenario } from '../../eval/load-scenarios';
import { createJudge } from '../../eval/runner/judge';
import { buildReport } from '../../eval/runner/report';
import { runScenario } from '../../eval/runner/run-scenario';
import { createOfflineModel } from '../../src/agent/offline-model';
import { helpdeskOfflineIntents as intents } from '../../plugins/helpdesk/offline/intents';
import { createOpenAIModel } from '../../src/agent/openai-model';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';

describe('judge model (--judge-model)', () => {
  let sim: OpenAISimulator;
  beforeEach(async () => {
    sim = await new OpenAISimulator({ apiKey: 'test' }).start();
  });
  afterEach(async () => sim.close());

  const judge = () => createJudge(createOpenAIModel({ apiKey: 'test', model: 'gpt-4o-mini', baseUrl: sim.baseUrl }));
  const scenario = parseScenario('judge.yaml', `name: judged
speakers:
  alice: { customer: alice, role: member }
turns:
  - say: Where is my order ORD-1001?
`);

  it('grades the transcript (user, tool results, replies) and the report averages the grades', async () => {
    sim.script({ kind: 'reply', content: 'Sure: {"helpfulness": 5, "groundedness": 4, "reason": "Tracking came from the tool."}' });
    const outcome = await runScenario(scenario, 'judge.yaml', { modelName: 'offline', makeModel: () => createOfflineModel({ newCallId: () => randomUUID(), intents }), judge: judge() });
    expect(outcome.judge).toEqual({ helpfulness: 5, groundedness: 4, reason: 'Tracking came from the tool.' });
    const sent = JSON.stringify(sim.requests.at(-1)?.body);
    expect(sent).toContain('User (member): Where is my order ORD-1001?');
    expect(sent).toContain('Tool look_up_order');
    expect(sent).toContain('1Z999AA10123456784');
    const report = buildReport([outcome], { model: 'offline', repeat: 1, startedAt: 'now', durationMs: 1 });
    expect(report.judge).toEqual({ graded: 1, errors: 0, helpfulness: 5, groundedness: 4 });
  });

  it('an unreadable grade or a failing judge is reported, never fatal', async () => {
    sim.script({ kind: 'reply', content: 'I would rather not grade this.' });
    expect(await judge().grade('User: hi')).toEqual({ error: expect.stringContaining('unreadable grade') });
    sim.script({ kind: 'error', status: 400, error: { message: 'bad request' } });
    expect(await judge().grade('User: hi')).toEqual({ error: expect.any(String) });
  });
});
