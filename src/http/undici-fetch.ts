import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * `fetch` for the SDKs we call on every turn (OpenAI, Slack's WebClient),
 * over undici's `request()` instead of Node's WHATWG fetch. Both SDKs take
 * a `fetch` option and use the same small part of it: a POST with a string
 * or byte body, the status and headers, the body read whole or streamed.
 * Node 20's fetch builds a Request, web streams and abort plumbing around
 * every call: measured here ~0.8 ms of CPU per call against ~0.2 ms for
 * `request()` on the same connection pool (bench/http-client.ts), with six
 * Slack calls and one model call in a streamed turn.
 *
 * Anything outside that part goes to the global fetch: a `Request` object,
 * form-data, blob or stream bodies (Slack file uploads), and the rest of a
 * redirect chain.
 */
export function createUndiciFetch(options: { dispatcher?: Dispatcher } = {}): typeof fetch {
  const dispatcher = options.dispatcher ?? new Agent();
  return async (input, init) => {
    const body = init?.body;
    if (input instanceof Request || !(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof URLSearchParams)) {
      return fetch(input, init);
    }
    const url = typeof input === 'string' ? input : input.href;
    const headers = headerRecord(init?.headers);
    let payload: string | Uint8Array | undefined;
    if (typeof body === 'string') {
      payload = body;
      headers['content-type'] ??= 'text/plain;charset=UTF-8';
    } else if (body instanceof URLSearchParams) {
      payload = body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (body) {
      payload = body;
    }
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    const method = (init?.method ?? 'GET').toUpperCase();
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url, { method: method as Dispatcher.HttpMethod, headers, body: payload, signal, dispatcher });
    } catch (error) {
      throw fetchError(error, signal);
    }
    const location = answer.headers.location;
    if (answer.statusCode >= 300 && answer.statusCode < 400 && typeof location === 'string' && init?.redirect !== 'manual') {
      answer.body.resume();
      if (init?.redirect === 'error') throw new TypeError('fetch failed', { cause: new Error(`redirect to ${location}`) });
      // Followed from here by the global fetch, as fetch follows: the request already sent is not sent again;
      // 303, and 301/302 after a POST, continue as a GET without a body.
      const asGet = answer.statusCode === 303 || ((answer.statusCode === 301 || answer.statusCode === 302) && method === 'POST');
      const next = new URL(location, url);
      return fetch(next, asGet ? { ...init, method: method === 'HEAD' ? 'HEAD' : 'GET', body: null } : init);
    }
    return new UndiciResponse(url, answer, signal);
  };
}

/** What fetch rejects with: the abort reason once aborted, else a TypeError whose cause is the network error. */
function fetchError(error: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error });
}

/** Request headers as undici takes them (lower-case names), from any form fetch accepts. */
function headerRecord(init: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (!init) return record;
  const pairs: Iterable<[string, string]> | Array<[string, string]> =
    init instanceof Headers ? init : Array.isArray(init) ? (init as Array<[string, string]>) : Object.entries(init as Record<string, string>);
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    record[key] = record[key] === undefined ? String(value) : `${record[key]}, ${String(value)}`;
  }
  return record;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * A fetch `Response` over undici's response: status, headers, and the body
 * read once, whole (`text`, `json`, `arrayBuffer`…) or as a web stream
 * (`body`, made on first use).
 */
class UndiciResponse implements Response {
  readonly type: Response['type'] = 'basic';
  readonly redirected = false;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  private readonly source: Dispatcher.ResponseData['body'];
  private stream: ReadableStream<Uint8Array> | null | undefined;
  private used = false;

  constructor(
    readonly url: string,
    answer: Dispatcher.ResponseData,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.status = answer.statusCode;
    this.statusText = answer.statusText ?? '';
    this.source = answer.body;
    this.headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const v of value) this.headers.append(name, v);
      else if (value !== undefined) this.headers.append(name, value);
    }
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.stream === undefined) {
      this.stream = NULL_BODY_STATUS.has(this.status) ? null : (Readable.toWeb(this.source) as unknown as ReadableStream<Uint8Array>);
    }
    return this.stream;
  }

  get bodyUsed(): boolean {
    return this.used || (this.stream?.locked ?? false);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    try {
      if (this.stream === null) return new Uint8Array(0);
      if (this.stream) return new Uint8Array(await new Response(this.stream).arrayBuffer());
      return new Uint8Array(await this.source.arrayBuffer());
    } catch (error) {
      throw fetchError(error, this.signal);
    }
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async blob(): Promise<Blob> {
    const type = this.headers.get('content-type');
    return new Blob([await this.bytes()], type ? { type } : {});
  }

  async formData(): Promise<FormData> {
    return new Response(await this.bytes(), { headers: this.headers }).formData();
  }

  clone(): Response {
    const body = this.body;
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    if (!body) return new Response(null, init);
    const [mine, theirs] = body.tee();
    this.stream = mine;
    return new Response(theirs, init);
  }
}

let shared: typeof fetch | undefined;

/** One undici-backed fetch (and connection pool) for the whole process. */
export function sharedFetch(): typeof fetch {
  shared ??= createUndiciFetch();
  return shared;
}
