import { buildCostReport } from '../budget/cost-report';
import { stopTurn } from '../agent/stop-turn';
import type { EngineContext } from '../engine-context';
import { handBack } from '../escalation/escalation-flow';
import { hasRole } from '../policy/roles';
import type { CommandInput, CommandReply } from '../ports';
import { buildStatusReport, costReply, statusReply, toText } from './status-report';
import { forgetCommand } from '../memory/forget-command';
import { routeSection } from '../specialists/route-status';
import { readOutcomeReport } from '../outcomes/outcome-counters';
import { outcomeSections } from './outcome-sections';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type CommandsDeps = Pick<EngineContext, 'config' | 'store' | 'model' | 'registry' | 'resilience' | 'budget' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'running' | 'approvals' | 'escalations' | 'stats' | 'loop' | 'specialists' | 'memory' | 'version' | 'startedAt' | 'texts'>;

/** The "Ask me" line when no plugin gives one (`prompts.help`). */
const GENERIC_ABILITIES = 'I answer from the tools and help center this workspace connected; actions that need it are approved by a person first.';

const helpSections = (abilities: string) => [
  {
    title: 'Ask me',
    lines: [
      'Mention me in a support channel (or DM me) and describe the problem; each thread is one conversation.',
      abilities,
      'Say "human" any time to reach a person.',
      'Under each answer: thumbs up or down (tell us what went wrong), "Talk to a human", and "That solved it".',
    ],
  },
  {
    title: 'Commands',
    lines: [
      '/support status: health, activity and anything waiting on humans',
      '/support cost: your usage today (admins: "cost all" for the whole workspace)',
      '/support handback [thread link] [resolution note]: staff only: give a handed-off conversation back to the bot (or use "Hand back" on the on-call notice); a note is remembered, anonymised, as a solved case',
      '/support forget me: delete what I remember about you (admins: forget <user id>)',
      '/support stop: stop the answer being written in this conversation (the person helped, staff or admins)',
      '/support help: this message',
    ],
  },
];

function refusal(title: string, message: string): CommandReply {
  const sections = [{ title: 'Not allowed', lines: [message] }];
  return { ok: false, title, sections, text: `${title}\n${message}` };
}

/** Slash commands: what each role may see is decided here, from the platform role. */
export async function runCommand(ctx: CommandsDeps, input: CommandInput): Promise<CommandReply> {
  ctx.audit.write({ event: 'command', user_id: input.caller.userId, command: input.name, args: input.args, role: input.caller.role, success: true });
  switch (input.name) {
    case 'help': {
      const sections = helpSections(ctx.texts.help ?? GENERIC_ABILITIES);
      return { ok: true, title: 'Support bot help', sections, text: toText('Support bot help', sections) };
    }
    case 'status': {
      const reply = statusReply(await buildStatusReport(ctx));
      const route = await routeSection(ctx, input.conversation);
      // Outcome rates describe the whole workspace's customers: admins only.
      const outcomes = hasRole(input.caller.role, 'admin') ? outcomeSections(await readOutcomeReport(ctx.store, ctx.clock.now(), ctx.config.budget.timezone)) : [];
      if (!route && outcomes.length === 0) return reply;
      const sections = [...reply.sections, ...(route ? [route] : []), ...outcomes];
      return { ...reply, sections, text: toText(reply.title, sections) };
    }
    case 'cost': {
      const wantsAll = input.args.some((a) => a.toLowerCase() === 'all');
      const isAdmin = hasRole(input.caller.role, 'admin');
      if (wantsAll && !isAdmin) return refusal('Support bot costs', 'Only workspace admins can see costs for everyone. "/support cost" shows your own usage.');
      const report = await buildCostReport({
        store: ctx.store,
        limits: ctx.budget.limits,
        now: ctx.clock.now(),
        userKey: `${input.caller.platform}:${input.caller.userId}`,
        isAdmin: wantsAll && isAdmin,
      });
      return costReply(report);
    }
    case 'handback': {
      if (!input.conversation) return refusal('Hand back', 'Say which conversation: run it inside the handed-off thread or DM, pass a link to the thread, or use "Hand back" on the on-call notice.');
      // Words that are not the thread's link are the resolution note, kept as a solved case.
      const note = input.args.filter((a) => !/^<?https?:\/\//.test(a)).join(' ');
      const outcome = await handBack(ctx, input.conversation, input.caller, note || undefined);
      const sections = [{ title: outcome.ok ? 'Done' : 'Not handed back', lines: [outcome.message] }];
      return { ok: outcome.ok, title: 'Hand back', sections, text: `Hand back\n${outcome.message}` };
    }
    case 'forget':
      return forgetCommand(ctx, input);
    case 'stop': {
      if (!input.conversation) return refusal('Stop', 'Run it in the conversation whose answer you want to stop, or use the Stop button on the answer.');
      const outcome = stopTurn(ctx, input.conversation, input.caller);
      const sections = [{ title: outcome.ok ? 'Stopping' : 'Not stopped', lines: [outcome.message] }];
      return { ok: outcome.ok, title: 'Stop', sections, text: `Stop\n${outcome.message}` };
    }
  }
}
