import { createHmac } from 'node:crypto';

/** Options for one delivery; defaults make a valid, fresh, first delivery. */
export interface DeliveryOptions {
  /** `x-slack-retry-num` (Slack retries 3 times: 1, 2, 3). */
  retryNum?: number;
  /** `x-slack-retry-reason`, e.g. `http_timeout`. */
  retryReason?: string;
  /** Unix seconds for `x-slack-request-timestamp`; default now. */
  timestamp?: number;
  /** Sign with this secret instead of the right one. */
  signingSecret?: string;
  /** Send this signature header verbatim. */
  signature?: string;
}

/** What the app answered. */
export interface DeliveryResult {
  status: number;
  body: string;
  headers: Headers;
}

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 over
 * `v0:{timestamp}:{raw body}` keyed with the app's signing secret.
 */
export function signSlackRequest(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * Posts Events API, interactivity and slash-command requests to the app,
 * encoded and signed exactly as Slack sends them.
 */
export class SlackDelivery {
  constructor(private readonly options: { url: string; signingSecret: string }) {}

  /** Events API: JSON body. */
  event(envelope: object, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    return this.post(JSON.stringify(envelope), 'application/json', options);
  }

  /** Interactivity: form body with one `payload` field holding JSON. */
  interaction(payload: object, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** Slash command: flat form body. */
  command(fields: Record<string, string>, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    return this.post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** Any raw body with any content type, signed like Slack signs (malformed-input tests). */
  raw(rawBody: string, contentType: string, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    return this.post(rawBody, contentType, options);
  }

  private async post(rawBody: string, contentType: string, options: DeliveryOptions): Promise<DeliveryResult> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? signSlackRequest(options.signingSecret ?? this.options.signingSecret, timestamp, rawBody),
    };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    const res = await fetch(this.options.url, { method: 'POST', headers, body: rawBody });
    return { status: res.status, body: await res.text(), headers: res.headers };
  }
}
