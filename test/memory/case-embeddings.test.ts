import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap';
import { ConfigError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import type { ConversationRef, ModelRequest } from '../../src/ports';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

const systemOf = (request: ModelRequest | undefined) => {
  const first = request?.messages[0];
  return first?.role === 'system' ? first.content : '';
};
const thread = (threadId: string): ConversationRef => ({ platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId });

/** Toy meanings: words about a delivery, about an export, about signing in. BM25 cannot know "package" means "parcel". */
const CONCEPTS = [/parcel|package|deliver|arriv|came|come|shipment/i, /csv|export|spreadsheet/i, /log ?in|sign ?in|password/i];
const embed = (text: string) => [...CONCEPTS.map((re) => (re.test(text) ? 1 : 0)), 0.05];

/**
 * A loopback OpenAI-compatible embeddings endpoint (POST /v1/embeddings), as
 * the openai SDK calls it: float or base64 vectors, or an error status.
 */
async function startEmbeddingsServer(options: { status?: number } = {}) {
  const requests: Array<{ model: string; input: string[] }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { model: string; input: string | string[]; encoding_format?: string };
      const input = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
      requests.push({ model: parsed.model, input });
      if (req.url !== '/v1/embeddings' || options.status) {
        res.writeHead(options.status ?? 404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad request', type: 'invalid_request_error' } }));
        return;
      }
      const data = input.map((text, index) => {
        const vector = embed(text);
        const embedding = parsed.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
        return { object: 'embedding', index, embedding };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: parsed.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('memory: solved cases ranked with embeddings when EMBEDDINGS_MODEL is set', () => {
  let h: EngineHarness | undefined;
  let server: Awaited<ReturnType<typeof startEmbeddingsServer>> | undefined;
  afterEach(async () => {
    await h?.close();
    await server?.close();
    h = undefined;
    server = undefined;
  });

  /** Alice's parcel problem is solved in thread A1 (she says so); then Bob describes the same problem in other words. */
  async function parcelCase(model: ScriptedModel, bobSays: string) {
    model.push(answer('We reshipped it by courier with a new tracking number.'), answer('Glad that helped!'), answer('Let me check.'));
    await h!.send('My parcel never arrived', { conversation: thread('A1') });
    await h!.send('that fixed it, thanks', { conversation: thread('A1') });
    await h!.send(bobSays, { caller: users.bob, conversation: thread('B1') });
    return systemOf(model.requests.at(-1));
  }

  const env = (url: string) => ({ EMBEDDINGS_MODEL: 'emb-test', OPENAI_API_KEY: 'sk-test-not-real', OPENAI_BASE_URL: url });

  it('finds a solved case that shares no words with the new problem, through the embeddings endpoint', async () => {
    server = await startEmbeddingsServer();
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model, env: env(server.url) });
    const system = await parcelCase(model, 'The package did not come');
    expect(system).toContain('Past case');
    expect(system).toContain('reshipped it by courier');
    // One request per recall: the query and the cases not embedded yet, with the configured model; redacted text only.
    expect(server.requests.at(-1)).toMatchObject({ model: 'emb-test', input: ['The package did not come', expect.stringContaining('reshipped')] });
    expect(JSON.stringify(server.requests)).not.toContain('Alice');
  });

  it('without EMBEDDINGS_MODEL the same words find nothing (BM25 only)', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    expect(await parcelCase(model, 'The package did not come')).not.toContain('Past case');
  });

  it('a case similar in neither words nor meaning is not offered, however it ranks', async () => {
    server = await startEmbeddingsServer();
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model, env: env(server.url) });
    expect(await parcelCase(model, 'Password reset email missing')).not.toContain('Past case');
  });

  it('when the embeddings endpoint fails, the turn is answered and BM25 still finds the case', async () => {
    server = await startEmbeddingsServer({ status: 400 });
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model, env: env(server.url) });
    const system = await parcelCase(model, 'my parcel never arrived either');
    expect(server.requests.length).toBeGreaterThan(0);
    expect(system).toContain('reshipped it by courier');
    expect(h.channel.texts(thread('B1'))).toEqual(['Let me check.']);
  });

  it('EMBEDDINGS_MODEL without OPENAI_API_KEY stops the start naming both', async () => {
    const started = bootstrap({ env: { DATA_DIR: '/tmp/never-used-embeddings', EMBEDDINGS_MODEL: 'emb-test', BUILTIN_TOOLS: 'none' }, model: new ScriptedModel(), logger: silentLogger() });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toMatchObject({ variables: ['EMBEDDINGS_MODEL', 'OPENAI_API_KEY'] });
  });
});
