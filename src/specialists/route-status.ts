import type { EngineContext } from '../engine-context';
import type { CommandReply, ConversationRef } from '../ports';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type RouteStatusDeps = Pick<EngineContext, 'sessions' | 'specialists'>;

/** The `/support status` section naming who handles this conversation (and how it got there); undefined when not routed. */
export async function routeSection(ctx: RouteStatusDeps, conversation: ConversationRef | undefined): Promise<CommandReply['sections'][number] | undefined> {
  if (!ctx.specialists || !conversation || !(await ctx.sessions.exists(conversation))) return undefined;
  const route = await ctx.sessions.withSession(conversation, async (session) => session.route);
  if (!route) return undefined;
  const how = { rules: 'keyword rules', model: 'the router model', offline: 'offline rules', fallback: 'fallback (router undecided)', transfer: 'a transfer' }[route.by];
  return {
    title: 'This conversation',
    lines: [`Specialist: ${route.specialists.join(' + ')} (by ${how})`, `Hand-overs: ${route.transfers}`],
  };
}
