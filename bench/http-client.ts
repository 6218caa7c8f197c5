/**
 * CPU per HTTP call of the clients the product uses on every turn: Node's
 * global fetch against the undici-backed fetch (src/http/undici-fetch.ts)
 * that the OpenAI and Slack SDKs are given. Two shapes, as a streamed Slack
 * turn makes them:
 *   slack   a Web API call through the real WebClient (form body, small JSON answer)
 *   stream  a streamed Chat Completion through the real OpenAI SDK (32 SSE chunks)
 * The server runs in a child process, so the CPU counted is the client's.
 *
 * Usage: npx tsx bench/http-client.ts [--calls 3000]
 */
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { webApi } from '@slack/bolt';
import OpenAI from 'openai';
import { createUndiciFetch } from '../src/http/undici-fetch';
import { formatTable } from './lib/stats';

const { values: args } = parseArgs({ options: { calls: { type: 'string' }, server: { type: 'boolean' } } });

const CHUNKS = 32;

function serve(): void {
  const chunk = (content: string | null, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
  void import('node:http').then(({ createServer }) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.endsWith('/chat/completions')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          let sent = 0;
          const next = () => {
            if (sent++ < CHUNKS) {
              res.write(chunk('abcdefgh', null));
              setImmediate(next);
            } else res.end(`${chunk(null, 'stop')}data: [DONE]\n\n`);
          };
          next();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"ok":true,"channel":"C0BENCH","ts":"1700000000.000100","message":{"text":"hello"}}');
      });
    });
    server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
  });
}

async function main(): Promise<void> {
  const calls = Number(args.calls ?? 3000);
  const child = fork(process.argv[1] as string, ['--server'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const base = `http://127.0.0.1:${port}`;

  const cpuPerCall = async (run: () => Promise<unknown>, n: number): Promise<number> => {
    for (let i = 0; i < Math.min(300, n); i++) await run();
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await run();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / n;
  };

  const rows: string[][] = [];
  for (const shape of ['slack', 'stream'] as const) {
    const n = shape === 'slack' ? calls : Math.max(200, Math.floor(calls / 6));
    const results: number[] = [];
    for (const fetchFn of [globalThis.fetch, createUndiciFetch()]) {
      if (shape === 'slack') {
        const client = new webApi.WebClient('xoxb-bench', { slackApiUrl: `${base}/api/`, fetch: fetchFn, timeout: 10_000 });
        results.push(await cpuPerCall(() => client.chat.update({ channel: 'C0BENCH', ts: '1700000000.000100', text: 'hello there' }), n));
      } else {
        const client = new OpenAI({ apiKey: 'bench', baseURL: `${base}/v1`, maxRetries: 0, fetch: fetchFn });
        results.push(
          await cpuPerCall(async () => {
            const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
            let chars = 0;
            for await (const part of stream) chars += part.choices[0]?.delta.content?.length ?? 0;
            return chars;
          }, n),
        );
      }
    }
    const [global, undici] = results as [number, number];
    rows.push([shape === 'slack' ? 'Slack Web API call (WebClient)' : `streamed completion, ${CHUNKS} chunks (OpenAI SDK)`, global.toFixed(0), undici.toFixed(0), `${(global / undici).toFixed(2)}×`]);
  }
  console.log(`HTTP client CPU per call (client side only; node ${process.version})`);
  console.log(formatTable(['call', 'global fetch µs', 'undici fetch µs', 'ratio'], rows));
  child.kill();
}

if (args.server) serve();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
