import type { EngineContext } from '../engine-context';
import { hasRole } from '../policy/roles';
import type { CommandInput, CommandReply } from '../ports';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type ForgetCommandDeps = Pick<EngineContext, 'audit' | 'memory'>;

const reply = (ok: boolean, heading: string, line: string): CommandReply => ({
  ok,
  title: 'Forget',
  sections: [{ title: heading, lines: [line] }],
  text: `Forget\n${line}`,
});

/**
 * `/support forget me`: a person deletes their own history and the solved
 * cases that came from their conversations; `/support forget <user id>`:
 * an admin does it for someone else. Scoped to the workspace it is typed in;
 * audited as `memory_forgotten` (ids and counts only).
 */
export async function forgetCommand(ctx: ForgetCommandDeps, input: CommandInput): Promise<CommandReply> {
  const workspaceId = input.conversation?.workspaceId ?? input.workspaceId;
  if (!ctx.memory || workspaceId === undefined) return reply(false, 'Not forgotten', 'Run it in a conversation of the workspace whose memory you want cleared.');
  const target = input.args[0];
  if (target === undefined || !['me', 'myself'].includes(target.toLowerCase())) {
    if (target === undefined) return reply(false, 'Usage', '"/support forget me" deletes what I remember about you; admins: "/support forget <user id>".');
    if (!hasRole(input.caller.role, 'admin') && target !== input.caller.userId) {
      ctx.audit.write({ event: 'memory_forget_refused', user_id: input.caller.userId, role: input.caller.role, success: false, error: 'forbidden' });
      return reply(false, 'Not allowed', 'Only workspace admins can make me forget someone else. "/support forget me" clears what I remember about you.');
    }
  }
  const userId = target === undefined || ['me', 'myself'].includes(target.toLowerCase()) ? input.caller.userId : target;
  const workspace = `${input.conversation?.platform ?? input.caller.platform}:${workspaceId}`;
  const removed = await ctx.memory.forget({ workspace, userId });
  ctx.audit.write({ event: 'memory_forgotten', user_id: input.caller.userId, target_user_id: userId, conversations: removed.conversations, cases: removed.cases, success: true });
  const whose = userId === input.caller.userId ? 'you' : userId;
  return reply(true, 'Done', `Forgotten: what I remembered about ${whose} (${removed.conversations} earlier conversation${removed.conversations === 1 ? '' : 's'}, ${removed.cases} solved case${removed.cases === 1 ? '' : 's'}).`);
}
