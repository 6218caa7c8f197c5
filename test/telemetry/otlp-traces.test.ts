import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

/** A loopback OTLP/HTTP receiver: keeps every exported span, decoded from the JSON the exporter sends. */
interface ReceivedSpan {
  name: string;
  kind: number;
  spanId: string;
  parentSpanId?: string;
  traceId: string;
  attributes: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
let spans: ReceivedSpan[];
let contentTypes: string[];
let h: EngineHarness | undefined;

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValue[] } };
const valueOf = (v: AnyValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? v.arrayValue?.values?.map(valueOf);

beforeEach(async () => {
  spans = [];
  contentTypes = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Omit<ReceivedSpan, 'attributes'> & { attributes?: Array<{ key: string; value: AnyValue }> }> }> }>;
        };
        for (const rs of body.resourceSpans)
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans) spans.push({ ...s, attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, valueOf(a.value)])) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await new Promise((resolve) => server.close(resolve));
});

const lookup = defineTool({
  name: 'look_up_order',
  description: 'Order status',
  input: z.object({ orderId: z.string(), email: z.string() }),
  permission: 'member',
  readOnly: true,
  execute: async ({ orderId }) => ({ orderId, status: 'shipped' }),
});

async function conversation(env: Record<string, string>) {
  const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'look_up_order', args: { orderId: 'ORD-1001', email: 'jane.doe@example.com' } }), answer('It shipped.')]);
  h = await EngineHarness.create({ model, tools: [lookup], env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...env } });
  await h.send('Where is ORD-1001? My email is jane.doe@example.com');
  await h.app.flushTraces();
}

describe('OpenTelemetry traces over OTLP/HTTP', () => {
  it('exports invoke_agent, chat and execute_tool spans with the GenAI attributes, in one trace', async () => {
    await conversation({});
    const names = spans.map((s) => s.name).sort();
    expect(names).toEqual(['chat gpt-4o-mini', 'chat gpt-4o-mini', 'execute_tool look_up_order', 'invoke_agent support-agent']);
    const agent = spans.find((s) => s.name.startsWith('invoke_agent'))!;
    expect(agent.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support-agent', 'gen_ai.conversation.id': 'test:W1:C1:T1' });
    for (const child of spans.filter((s) => s !== agent)) {
      expect(child.parentSpanId).toBe(agent.spanId);
      expect(child.traceId).toBe(agent.traceId);
    }
    const chat = spans.find((s) => s.name.startsWith('chat'))!;
    expect(chat.kind).toBe(3); // CLIENT
    expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 });
    expect(spans.map((s) => s.attributes['gen_ai.response.finish_reasons']).filter(Boolean)).toEqual(expect.arrayContaining([['tool_calls'], ['stop']]));
    const tool = spans.find((s) => s.name.startsWith('execute_tool'))!;
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'look_up_order' });
    expect(typeof tool.attributes['gen_ai.tool.call.id']).toBe('string');
    // Content is opt-in: nothing the user wrote leaves the process.
    expect(JSON.stringify(spans)).not.toContain('ORD-1001');
    expect(contentTypes).toContain('application/json');
  });

  it('exports message content and tool arguments only with OTEL_CAPTURE_CONTENT=true, and redacted', async () => {
    await conversation({ OTEL_CAPTURE_CONTENT: 'true' });
    const text = JSON.stringify(spans);
    expect(text).toContain('ORD-1001');
    expect(text).not.toContain('jane.doe@example.com');
    expect(spans.find((s) => s.name.startsWith('execute_tool'))!.attributes['gen_ai.tool.call.arguments']).toContain('[REDACTED_EMAIL]');
  });

  it('loads no exporter when no endpoint is set', async () => {
    await conversation({ OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    expect(spans).toEqual([]);
    expect(contentTypes).toEqual([]);
  });
});
