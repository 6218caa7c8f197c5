import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDemoHelpdesk, type DemoHelpdesk } from '../../plugins/helpdesk/index';
import type { Caller, Role, ToolContext, ToolDefinition } from '../../src/ports';

/** A fixed "first start": Tuesday 10 June 2025, 15:00 UTC. */
export const SEED_NOW = Date.UTC(2025, 5, 10, 15, 0, 0);

export const caller = (userId: string, role: Role = 'member', platform = 'console'): Caller => ({
  userId,
  platform,
  displayName: userId,
  role,
});

export const alice = caller('alice');
export const bob = caller('bob');
/** A staff member with no customer account of their own. */
export const sam = caller('sam', 'staff');
export const stranger = caller('U0NOBODY', 'member', 'slack');

/** A real helpdesk in a fresh temp dir, plus helpers to run its tools the way the engine does. */
export interface HelpdeskFixture {
  dir: string;
  helpdesk: DemoHelpdesk;
  tool(name: string): ToolDefinition;
  /** Validate with the tool's zod schema, then execute. */
  run(name: string, args: unknown, who: Caller, idempotencyKey?: string): Promise<unknown>;
  cleanup(): Promise<void>;
}

let keys = 0;

export function toolContext(who: Caller, idempotencyKey: string, now: () => number = () => SEED_NOW + 60_000): ToolContext {
  return {
    caller: who,
    conversation: { platform: who.platform, workspaceId: 'local', channelId: 'test', threadId: 'thread-1' },
    sessionId: 'session-1',
    idempotencyKey,
    signal: new AbortController().signal,
    now,
  };
}

export async function openFixture(options: { refundAdminThresholdUsd?: number; dir?: string } = {}): Promise<HelpdeskFixture> {
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'helpdesk-')));
  const helpdesk = await createDemoHelpdesk({ dataDir: dir, refundAdminThresholdUsd: options.refundAdminThresholdUsd ?? 100, now: () => SEED_NOW });
  const fixture: HelpdeskFixture = {
    dir,
    helpdesk,
    tool(name) {
      // Reads `fixture.helpdesk` so a test can swap in a restarted instance.
      const found = fixture.helpdesk.tools.find((t) => t.name === name);
      if (!found) throw new Error(`no tool ${name}`);
      return found;
    },
    async run(name, args, who, idempotencyKey) {
      const t = fixture.tool(name);
      return t.execute(t.input.parse(args), toolContext(who, idempotencyKey ?? `key-${++keys}`));
    },
    async cleanup() {
      await fixture.helpdesk.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
