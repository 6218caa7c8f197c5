import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciFetch } from '../../src/http/undici-fetch';

/** A real HTTP server; each path shows one behaviour the SDKs rely on. */
let server: http.Server;
let base: string;
let releaseStream: (() => void) | undefined;
const seen: Array<{ path: string; method: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push({ path, method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (path === '/json') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-slack-req-id': 'req-1', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ ok: true, echo: Buffer.concat(chunks).toString('utf8') }));
      } else if (path === '/limited') {
        res.writeHead(429, 'Too Many Requests', { 'retry-after': '7' });
        res.end('slow down');
      } else if (path === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (path === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        // The rest only once the client has seen the first event: proves the body streams.
        releaseStream = () => res.end('data: second\n\n');
      } else if (path === '/hang') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      } else if (path === '/moved') {
        res.writeHead(302, { location: '/json' });
        res.end();
      } else if (path === '/slow-headers') {
        setTimeout(() => res.end('late'), 2_000).unref();
      } else {
        res.writeHead(404);
        res.end('no such path');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const fetchFn = createUndiciFetch();

describe('undici-backed fetch', () => {
  it('sends method, headers and a string body, and reads status, headers and JSON', async () => {
    const response = await fetchFn(`${base}/json`, {
      method: 'post',
      headers: new Headers({ Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/x-www-form-urlencoded' }),
      body: 'channel=C1&text=hi',
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/json`);
    expect(response.headers.get('x-slack-req-id')).toBe('req-1');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await response.json()).toEqual({ ok: true, echo: 'channel=C1&text=hi' });
    const request = seen.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe('Bearer xoxb-test');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('gives a string body the content type fetch gives it, and sends URLSearchParams as a form', async () => {
    await (await fetchFn(`${base}/json`, { method: 'POST', body: '{"a":1}', headers: { 'X-Extra': 'yes' } })).text();
    expect(seen.at(-1)?.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(seen.at(-1)?.headers['x-extra']).toBe('yes');
    await (await fetchFn(`${base}/json`, { method: 'POST', body: new URLSearchParams({ q: 'a b' }) })).text();
    expect(seen.at(-1)?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(seen.at(-1)?.body).toBe('q=a+b');
  });

  it('reports a 429 with its status text and retry-after, and the body as text', async () => {
    const response = await fetchFn(`${base}/limited`, { method: 'POST', body: 'x' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.text()).toBe('slow down');
  });

  it('reads a body once: a second read is a TypeError, as in fetch', async () => {
    const response = await fetchFn(`${base}/json`, { method: 'POST', body: 'x' });
    await response.text();
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toBeInstanceOf(TypeError);
  });

  it('has no body for 204', async () => {
    const response = await fetchFn(`${base}/empty`);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(await response.text()).toBe('');
  });

  it('streams the body as it arrives (server-sent events)', async () => {
    const response = await fetchFn(`${base}/stream`, { method: 'POST', body: '{}' });
    const body = response.body;
    if (!body) throw new Error('no body');
    const decoder = new TextDecoder();
    const received: string[] = [];
    for await (const chunk of body) {
      received.push(decoder.decode(chunk));
      if (received.length === 1) releaseStream?.();
    }
    expect(received.join('')).toBe('data: first\n\ndata: second\n\n');
    expect(received[0]).toBe('data: first\n\n');
  });

  it('can be cloned, and both copies read the whole body', async () => {
    const response = await fetchFn(`${base}/json`, { method: 'POST', body: 'twice' });
    const copy = response.clone();
    expect(await copy.json()).toEqual({ ok: true, echo: 'twice' });
    expect(await response.json()).toEqual({ ok: true, echo: 'twice' });
  });

  it('rejects with the abort reason: before the call, while waiting for headers, and mid-body', async () => {
    const before = new AbortController();
    before.abort(new Error('stopped early'));
    await expect(fetchFn(`${base}/json`, { signal: before.signal })).rejects.toThrow('stopped early');

    const waiting = new AbortController();
    const pending = fetchFn(`${base}/slow-headers`, { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const reading = new AbortController();
    const response = await fetchFn(`${base}/hang`, { signal: reading.signal });
    const text = response.text();
    setTimeout(() => reading.abort(), 50);
    await expect(text).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails as fetch fails when nothing listens: a TypeError with the network error as cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await fetchFn(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe('fetch failed');
    expect(((failure as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('follows redirects by default and refuses them with redirect: error (as the Slack WebClient asks)', async () => {
    const before = seen.length;
    const followed = await fetchFn(`${base}/moved`, { method: 'POST', body: 'x' });
    expect(followed.status).toBe(200);
    await followed.text();
    // Sent once, then followed as fetch follows a 302 after a POST: a GET of the new location.
    expect(seen.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /moved', 'GET /json']);
    await expect(fetchFn(`${base}/moved`, { method: 'POST', body: 'x', redirect: 'error' })).rejects.toBeInstanceOf(TypeError);
  });

  it('hands bodies it does not stream itself (form data for file uploads) to the global fetch', async () => {
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    const response = await fetchFn(`${base}/json`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    await response.text();
    expect(seen.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.at(-1)?.body).toContain('hello');
  });
});
