import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DashboardAuthOptions {
  /** DASHBOARD_TOKEN; when undefined a token is generated for this process. */
  token: string | undefined;
  now: () => number;
  /** How long a sign-in lasts. Default 12 h. */
  sessionTtlMs?: number;
}

export const SESSION_COOKIE = 'dashboard_session';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Who may see the dashboard: whoever presents the token once gets a random
 * session id in an HttpOnly, SameSite=Strict cookie, remembered here (server
 * side) until it expires. The token is compared in constant time.
 */
export class DashboardAuth {
  readonly generated: boolean;
  private readonly token: Buffer;
  private readonly tokenText: string;
  private readonly sessions = new Map<string, number>();
  private readonly ttlMs: number;

  constructor(private readonly options: DashboardAuthOptions) {
    this.generated = options.token === undefined;
    this.tokenText = options.token ?? randomBytes(24).toString('base64url');
    this.token = digest(this.tokenText);
    this.ttlMs = options.sessionTtlMs ?? 12 * 3_600_000;
  }

  /** The token to put in a sign-in URL: only when it was generated here (a configured one is the operator's secret). */
  generatedToken(): string | undefined {
    return this.generated ? this.tokenText : undefined;
  }

  /** A new session id when `token` is right; undefined otherwise. */
  signIn(token: string | undefined): { id: string; cookie: string } | undefined {
    if (!token || !timingSafeEqual(digest(token), this.token)) return undefined;
    this.prune();
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, this.options.now() + this.ttlMs);
    const cookie = `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=${Math.floor(this.ttlMs / 1000)}`;
    return { id, cookie };
  }

  /** Whether the request's Cookie header carries a live session. */
  isSignedIn(cookieHeader: string | undefined): boolean {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined) return false;
    if (expires <= this.options.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  private prune(): void {
    const now = this.options.now();
    for (const [id, expires] of this.sessions) if (expires <= now) this.sessions.delete(id);
  }
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
