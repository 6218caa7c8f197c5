import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { AuthorizationError } from '@slack/bolt';
import type { Logger } from '../../src/index';

/** Bolt's own default body limit (4 MB): larger requests get 413 without being read. */
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/** Options for {@link guardSlackRequests}. */
export interface SlackRequestGuardOptions {
  logger: Logger;
  /** Largest body read, in bytes. Default 4 MB (as Bolt). */
  bodyLimit?: number;
}

/**
 * Wrap Bolt's HTTP request listener so a body that is not a JSON object
 * (`null`, `[]`, `42`, `"x"`, `true`, or `payload=null` in a form) is answered
 * 400 before Bolt sees it. Bolt 4/5 reads `body.ssl_check` off whatever
 * `JSON.parse` returned, inside a promise nobody awaits, so a signed `null`
 * becomes an unhandled rejection that takes the whole process down.
 *
 * The body is read here and handed on as `req.rawBody`, which Bolt uses
 * instead of reading the stream again; signature checks stay with Bolt.
 */
export function guardSlackRequests(listener: RequestListener, options: SlackRequestGuardOptions): RequestListener {
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return (req, res) => {
    if (req.method !== 'POST') {
      listener(req, res);
      return;
    }
    readBody(req, limit).then(
      (raw) => {
        if (raw === undefined) {
          reply(res, 413);
          return;
        }
        if (bodyShape(raw.toString('utf8'), req.headers['content-type']) === 'not-an-object') {
          // Never the body itself: it may carry user text or tokens.
          options.logger.warn({ path: req.url?.split('?')[0], bytes: raw.length }, 'slack request body is not a JSON object; refused');
          reply(res, 400);
          return;
        }
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        listener(req, res);
      },
      (error: unknown) => {
        options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'slack request body could not be read');
        reply(res, 400);
      },
    );
  };
}

/**
 * `object` when Bolt can safely look at the parsed body, `not-an-object` when
 * it parses to anything else, `unparsable` when it is not JSON at all (Bolt
 * answers those itself: 401 unsigned, 400 malformed).
 */
export function bodyShape(raw: string, contentType: string | undefined): 'object' | 'not-an-object' | 'unparsable' {
  let text = raw;
  // Bolt compares the header verbatim, so a charset suffix means "parse as JSON" there too.
  if (contentType === 'application/x-www-form-urlencoded') {
    const { payload } = parseQuery(raw);
    if (typeof payload !== 'string') return 'object'; // flat form fields: a slash command or ssl_check
    text = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'unparsable';
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? 'object' : 'not-an-object';
}

/** The whole body, or undefined once it grows past `limit` (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
}

/** What Bolt hands a `processEventErrorHandler`. */
interface ProcessEventErrorArgs {
  error: Error;
  response: ServerResponse;
}

/**
 * Bolt's `processEventErrorHandler`, answering 400 instead of 500 when Bolt
 * itself chokes on an object of the wrong shape (`{"event":null}` throws a
 * TypeError while Bolt routes it; a 500 would invite Slack to retry it).
 * Authorization failures stay 401; anything else stays 500.
 */
export function slackProcessEventErrorHandler(logger: Logger): (args: ProcessEventErrorArgs) => Promise<boolean> {
  return async ({ error, response }) => {
    if (response.headersSent) return false;
    const status = error instanceof AuthorizationError ? 401 : error instanceof TypeError ? 400 : 500;
    logger.warn({ status, err: error.message }, 'slack request could not be processed');
    response.writeHead(status);
    response.end();
    // The response is written; "false" tells Bolt not to acknowledge it a second time.
    return false;
  };
}
