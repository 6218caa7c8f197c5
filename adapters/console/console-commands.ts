import type { Caller, CommandName, ConversationActionOutcome, ConversationRef, Decision } from '../../src/ports';
import { parseSpeakerSpec } from './console-options';
import { formatCommandReply, formatError, formatInfo } from './console-render';
import type { ConsoleSession, LineOutcome } from './console-session';

/** Console-only commands, shown by `/help` after the engine's own help. */
export const CONSOLE_COMMANDS = [
  '/status                      health, activity and what waits on humans',
  '/cost [all]                  your usage today ("all": admins only, whole workspace)',
  '/approve [id] [as user:role] approve a request (default: the latest waiting one)',
  '/deny [id] [as user:role]    deny a request (the requester may cancel their own)',
  '/claim [id] [as user:role]   take an escalation as staff (default: the latest unclaimed)',
  '/handback [note] [as u:role] staff: give this thread back to the bot (a note is kept, anonymised, as a solved case)',
  '/forget me | <user>          delete what the bot remembers about you (admins: about a user)',
  '/good                        thumbs up for the answer',
  '/bad [what went wrong]       thumbs down, optionally saying why (on-call sees the reason)',
  '/human                       talk to a human (hands this thread to on-call)',
  '/solved                      that solved it: mark this conversation resolved',
  '/as [user[:role]]            switch who is speaking (no argument: who am I?)',
  '/new                         start a new conversation (new thread, new session)',
  '/help                        this help',
  '/quit                        leave (Ctrl-D and Ctrl-C work too)',
  'Any command takes "as user:role" to run it as someone else, e.g. /cost all as root:admin.',
];

/** A parsed command line: `/name args… [as user[:role]]`. */
interface ParsedCommand {
  name: string;
  args: string[];
  as?: string;
}

function parse(text: string): ParsedCommand | { error: string } {
  const [head = '', ...rest] = text.slice(1).trim().split(/\s+/);
  const name = head.toLowerCase();
  // A reason is free text that may say "as" itself: only a trailing "as <speaker>" names someone.
  const asAt = name === 'bad' ? (rest.length >= 2 && rest[rest.length - 2]?.toLowerCase() === 'as' ? rest.length - 2 : -1) : rest.findIndex((word) => word.toLowerCase() === 'as');
  if (asAt === -1 || name === 'as') return { name, args: rest };
  if (asAt !== rest.length - 2) return { error: `write "as" last, followed by one speaker: /${name} … as <user>[:<role>], e.g. as dana:staff.` };
  return { name, args: rest.slice(0, asAt), as: rest[asAt + 1] ?? '' };
}

/** Who runs the command: the current speaker, or the one named after `as`. */
function callerOf(session: ConsoleSession, command: ParsedCommand): Caller | { error: string } {
  if (command.as === undefined) return session.caller;
  const spec = parseSpeakerSpec(command.as);
  if (!spec.ok) return { error: spec.message };
  return session.resolveCaller(spec.userId, spec.role);
}

/**
 * Run a slash command. Everything an operator can get wrong (unknown
 * command, bad speaker, unknown id, not allowed) becomes one error line.
 */
export async function runConsoleCommand(session: ConsoleSession, text: string): Promise<LineOutcome> {
  const fail = (message: string): LineOutcome => {
    session.output.print(formatError(message, session.paint));
    return 'continue';
  };
  const command = parse(text);
  if ('error' in command) return fail(command.error);
  const caller = callerOf(session, command);
  if ('error' in caller) return fail(caller.error);
  const tooMany = (usage: string) => fail(`too many arguments; usage: ${usage}`);

  switch (command.name) {
    case 'help':
      return help(session, caller);
    case 'status':
      if (command.args.length > 0) return tooMany('/status');
      return engineCommand(session, 'status', [], caller);
    case 'cost':
      if (command.args.length > 1 || (command.args[0] !== undefined && command.args[0].toLowerCase() !== 'all')) return fail('usage: /cost or /cost all');
      return engineCommand(session, 'cost', command.args, caller);
    case 'approve':
    case 'deny':
      if (command.args.length > 1) return tooMany(`/${command.name} [id] [as user:role]`);
      return decide(session, command.name, command.args[0], caller);
    case 'claim':
      if (command.args.length > 1) return tooMany('/claim [id] [as user:role]');
      return claim(session, command.args[0], caller);
    case 'handback':
      return handback(session, caller, command.args);
    case 'forget':
      return engineCommand(session, 'forget', command.args, caller);
    case 'good':
    case 'bad':
      if (command.name === 'good' && command.args.length > 0) return tooMany('/good [as user:role]');
      return conversationAction(
        session,
        (conversation) =>
          session.engine.feedback({ conversation, caller, rating: command.name === 'good' ? 'up' : 'down', ...(command.args.length > 0 ? { reason: command.args.join(' ') } : {}) }),
        { confirm: true },
      );
    case 'human':
      if (command.args.length > 0) return tooMany('/human [as user:role]');
      return conversationAction(session, (conversation) => session.engine.talkToHuman({ conversation, caller }), { confirm: false });
    case 'solved':
      if (command.args.length > 0) return tooMany('/solved [as user:role]');
      return conversationAction(session, (conversation) => session.engine.resolveConversation({ conversation, caller }), { confirm: false });
    case 'as':
      return switchSpeaker(session, command.args);
    case 'new':
      session.output.print(formatInfo(`new conversation started (thread ${session.newThread()}).`, session.paint));
      return 'continue';
    case 'quit':
    case 'exit':
      return 'quit';
    default:
      return fail(`unknown command "/${command.name}"; type /help for the list.`);
  }
}

async function engineCommand(session: ConsoleSession, name: CommandName, args: string[], caller: Caller): Promise<LineOutcome> {
  const reply = await session.engine.command({ name, args, caller, conversation: session.conversation });
  session.output.print(formatCommandReply(reply, session.paint));
  return 'continue';
}

/** Feedback, "talk to a human" and "solved" on the current thread; the engine posts any notice in it itself. */
async function conversationAction(
  session: ConsoleSession,
  act: (conversation: ConversationRef) => Promise<ConversationActionOutcome>,
  options: { confirm: boolean },
): Promise<LineOutcome> {
  const outcome = await act(session.conversation);
  if (!outcome.ok) session.output.print(formatError(outcome.reason === 'not_found' ? 'no conversation here yet: ask something first.' : outcome.message, session.paint));
  else if (options.confirm) session.output.print(formatInfo(outcome.message, session.paint));
  return 'continue';
}

async function help(session: ConsoleSession, caller: Caller): Promise<LineOutcome> {
  const reply = await session.engine.command({ name: 'help', args: [], caller, conversation: session.conversation });
  // The engine's command list is worded for Slack and Discord; the console has its own.
  const sections = [...reply.sections.filter((s) => s.title !== 'Commands'), { title: 'Console commands', lines: CONSOLE_COMMANDS }];
  session.output.print(formatCommandReply({ ...reply, sections }, session.paint));
  return 'continue';
}

async function decide(session: ConsoleSession, verb: 'approve' | 'deny', id: string | undefined, decider: Caller): Promise<LineOutcome> {
  const approvalId = id ?? session.channel.latestPendingApproval();
  if (!approvalId) {
    session.output.print(formatError(`no approval is waiting here; give its id: /${verb} apr_… [as user:role].`, session.paint));
    return 'continue';
  }
  const decision: Decision = verb;
  const outcome = await session.engine.decideApproval({ approvalId, decision, decider });
  // On success the channel has already shown the updated card and whatever the resumed run said.
  if (!outcome.ok) session.output.print(formatError(`${approvalId}: ${outcome.message}${roleNote(outcome.reason, decider)}`, session.paint));
  return 'continue';
}

async function claim(session: ConsoleSession, id: string | undefined, caller: Caller): Promise<LineOutcome> {
  const escalationId = id ?? session.channel.latestUnclaimedEscalation();
  if (!escalationId) {
    session.output.print(formatError('no escalation is waiting to be claimed; give its id: /claim esc_… [as user:role].', session.paint));
    return 'continue';
  }
  const outcome = await session.engine.claimEscalation({ escalationId, caller });
  if (!outcome.ok) session.output.print(formatError(`${escalationId}: ${outcome.message}${roleNote(outcome.reason, caller)}`, session.paint));
  return 'continue';
}

async function handback(session: ConsoleSession, caller: Caller, note: string[]): Promise<LineOutcome> {
  const reply = await session.engine.command({ name: 'handback', args: note, caller, conversation: session.conversation });
  // On success the engine has posted its own notice in the thread.
  if (!reply.ok) session.output.print(formatError(reply.sections.flatMap((s) => s.lines).join(' '), session.paint));
  return 'continue';
}

/** On a refusal, say who was asking: the operator may have forgotten to switch speaker. */
function roleNote(reason: string, caller: Caller): string {
  return reason === 'not_allowed' ? ` (you are ${caller.userId}, ${caller.role})` : '';
}

function switchSpeaker(session: ConsoleSession, args: string[]): LineOutcome {
  if (args.length === 0) {
    const me = session.caller;
    session.output.print(formatInfo(`you are speaking as ${me.userId} (${me.role}).`, session.paint));
    return 'continue';
  }
  const spec = args.length === 1 ? parseSpeakerSpec(args[0] ?? '') : ({ ok: false, message: 'usage: /as <user>[:<role>], e.g. /as dana:staff.' } as const);
  if (!spec.ok) {
    session.output.print(formatError(spec.message, session.paint));
    return 'continue';
  }
  const caller = session.resolveCaller(spec.userId, spec.role);
  session.switchSpeaker(caller);
  session.output.print(formatInfo(`now speaking as ${caller.userId} (${caller.role}).`, session.paint));
  return 'continue';
}
