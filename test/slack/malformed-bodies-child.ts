/**
 * Run in a child process by malformed-bodies.test.ts: start the real Bolt HTTP
 * receiver, post every odd body shape (correctly signed), then a valid mention,
 * and print one JSON line with what happened. If a body crashes the process,
 * the JSON line never appears and the exit code says so.
 */
import { IDS, startSlackHarness, waitFor } from './harness';

/** Every shape a correctly signed body can have that is not an object. */
export const MALFORMED_BODIES: ReadonlyArray<{ name: string; body: string; contentType: string }> = [
  { name: 'json null', body: 'null', contentType: 'application/json' },
  { name: 'json array', body: '[]', contentType: 'application/json' },
  { name: 'json number', body: '42', contentType: 'application/json' },
  { name: 'json string', body: '"x"', contentType: 'application/json' },
  { name: 'json true', body: 'true', contentType: 'application/json' },
  { name: 'json not json', body: '{"type":', contentType: 'application/json' },
  { name: 'empty body', body: '', contentType: 'application/json' },
  { name: 'form payload null', body: 'payload=null', contentType: 'application/x-www-form-urlencoded' },
  { name: 'form payload array', body: 'payload=%5B1%5D', contentType: 'application/x-www-form-urlencoded' },
  { name: 'form payload 42', body: 'payload=42', contentType: 'application/x-www-form-urlencoded' },
  { name: 'form payload string', body: 'payload=%22x%22', contentType: 'application/x-www-form-urlencoded' },
  { name: 'event null', body: '{"type":"event_callback","event":null}', contentType: 'application/json' },
  { name: 'empty object', body: '{}', contentType: 'application/json' },
];

const isEntryPoint = process.argv[1]?.endsWith('malformed-bodies-child.ts') ?? false;
if (isEntryPoint) {
  const h = await startSlackHarness();
  const statuses: Record<string, number> = {};
  for (const shape of MALFORMED_BODIES) {
    statuses[shape.name] = (await h.delivery.raw(shape.body, shape.contentType)).status;
  }
  const mention = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> still there?`);
  const valid = await h.delivery.event(h.payloads.appMention(mention));
  await waitFor(() => h.engine.answered.length === 1, 10_000);
  await h.settle();
  const answered = h.engine.answered.map((m) => m.text);
  await h.close();
  process.stdout.write(`${JSON.stringify({ statuses, validStatus: valid.status, answered })}\n`);
}
