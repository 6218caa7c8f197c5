import { type SlackAdapter, type SlackAdapterOptions, createSlackAdapter } from '../../adapters/slack/index';
import { slackConfigFromEnv } from '../../adapters/slack/config';
import type { Engine, Logger } from '../../src/ports';
import { SlackDelivery } from '../simulators/slack/delivery';
import { SlackPayloads } from '../simulators/slack/payloads';
import { SlackSimulator } from '../simulators/slack/web-api';
import { FakeEngine } from '../support/fake-engine';

/** The signing secret every harness app uses. */
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

/** Ids of the seeded workspace. */
export const IDS = {
  support: 'C0SUPPORT',
  oncall: 'C0ONCALL',
  dmMember: 'D0MEMBER',
  staffGroup: 'S0STAFF',
  staffHandle: 'support-staff',
  primaryOwner: 'U0PRIMARY',
  owner: 'U0OWNER',
  admin: 'U0ADMIN',
  staff: 'U0STAFF',
  member: 'U0MEMBER',
  member2: 'U0MEMBER2',
  guest: 'U0GUEST',
  singleGuest: 'U0SCGUEST',
  external: 'U0EXTERNAL',
  externalTeam: 'T0OTHERCO',
} as const;

/** A logger that keeps every entry, for assertions (and secret-leak checks). */
export interface CapturedLogger extends Logger {
  entries: Array<{ level: string; obj: object; msg?: string }>;
}

export function captureLogger(bindings: Record<string, unknown> = {}, entries: CapturedLogger['entries'] = []): CapturedLogger {
  const log = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj: { ...bindings, ...obj }, ...(msg ? { msg } : {}) });
  return {
    entries,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => captureLogger({ ...bindings, ...more }, entries),
  };
}

/** Seed the simulated workspace with one user per role case and the channels the tests use. */
export function seedWorkspace(sim: SlackSimulator): void {
  const ws = sim.workspace;
  ws.addUser({ id: IDS.primaryOwner, name: 'pat', is_primary_owner: true, is_owner: true, is_admin: true });
  ws.addUser({ id: IDS.owner, name: 'olive', is_owner: true });
  ws.addUser({ id: IDS.admin, name: 'ada', is_admin: true });
  ws.addUser({ id: IDS.staff, name: 'sam', profile: { display_name: 'Sam (Support)', real_name: 'Sam Staff' } });
  ws.addUser({ id: IDS.member, name: 'mia' });
  ws.addUser({ id: IDS.member2, name: 'max' });
  ws.addUser({ id: IDS.guest, name: 'gus', is_restricted: true });
  ws.addUser({ id: IDS.singleGuest, name: 'sue', is_restricted: true, is_ultra_restricted: true });
  // A Slack Connect user: another org, with admin rights over there.
  ws.addUser({ id: IDS.external, name: 'eve', team_id: IDS.externalTeam, is_admin: true, is_stranger: true });
  ws.addUsergroup({ id: IDS.staffGroup, handle: IDS.staffHandle, name: 'Support staff', users: [IDS.staff, IDS.guest] });
  ws.addUsergroup({ id: 'S0DESIGN', handle: 'design', name: 'Design', users: [IDS.member] });
  ws.addChannel({ id: IDS.support, name: 'support' });
  ws.addChannel({ id: IDS.oncall, name: 'support-oncall', type: 'group' });
  ws.addChannel({ id: IDS.dmMember, name: IDS.dmMember, type: 'im', user: IDS.member });
  ws.addChannel({ id: 'C0RANDOM', name: 'random', botMember: false });
}

/** Everything a Slack adapter test needs, wired to a fresh simulator. */
export interface SlackHarness<E extends Engine = FakeEngine> {
  sim: SlackSimulator;
  engine: E;
  adapter: SlackAdapter;
  delivery: SlackDelivery;
  payloads: SlackPayloads;
  logger: CapturedLogger;
  port: number;
  /** Wait until the adapter finished everything it acknowledged. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions<E extends Engine = FakeEngine> {
  env?: Record<string, string | undefined>;
  adapter?: Partial<Omit<SlackAdapterOptions, 'engine' | 'config' | 'logger'>>;
  /** The engine to drive; a fresh FakeEngine by default. */
  engine?: E;
  /** Run in Socket Mode (SLACK_APP_TOKEN set, no signing secret). */
  socketMode?: boolean;
}

/** Start a simulator, seed it, and start the adapter against it on a free port. */
export async function startSlackHarness<E extends Engine = FakeEngine>(options: HarnessOptions<E> = {}): Promise<SlackHarness<E>> {
  const sim = await new SlackSimulator().start();
  seedWorkspace(sim);
  const engine = options.engine ?? (new FakeEngine() as unknown as E);
  const logger = captureLogger();
  const config = slackConfigFromEnv({
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: sim.apiUrl,
    SLACK_ONCALL_CHANNEL: IDS.oncall,
    SLACK_STAFF_USERGROUP: IDS.staffGroup,
    PORT: '0',
    ...(options.socketMode ? { SLACK_APP_TOKEN: sim.appToken, SLACK_SIGNING_SECRET: '' } : {}),
    ...options.env,
  });
  const adapter = createSlackAdapter({ engine, config, logger, placeholderGraceMs: 30, placeholderDelayMs: 0, ...options.adapter });
  const { port } = await adapter.start();
  const delivery = new SlackDelivery({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET });
  return {
    sim,
    engine,
    adapter,
    delivery,
    payloads: new SlackPayloads(sim),
    logger,
    port,
    async settle() {
      if (!(await adapter.idle(15_000))) throw new Error('adapter did not settle');
    },
    async close() {
      await adapter.stop();
      await sim.close();
    },
  };
}

/** Poll until `check` returns a value (not undefined/false), or fail after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** All mrkdwn/plain text inside a message's blocks, joined. */
export function blockText(blocks: unknown[] | undefined): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      else Object.values(o).forEach(walk);
    }
  };
  walk(blocks ?? []);
  return out.join('\n');
}
