/** Slash commands as adapters pass them, and the titled replies they render. */
import type { ConversationRef } from './conversations';
import type { Caller } from './identity';

/** Slash-command names every adapter supports. */
export type CommandName = 'status' | 'cost' | 'help' | 'handback' | 'stop' | 'forget';

/** A slash command as an adapter passes it. */
export interface CommandInput {
  /** Which command. */
  name: CommandName;
  /** Words after the subcommand, e.g. `["all"]` for `/support cost all`. */
  args: string[];
  /** Who typed it, with the role the platform grants. */
  caller: Caller;
  /** The conversation the command was typed in, if any (needed for `handback`). */
  conversation?: ConversationRef;
  /** The workspace it was typed in, when there is no conversation (Slack team id): scopes `forget`. */
  workspaceId?: string;
}

/** A titled block of a report, rendered as a Block Kit section or embed field. */
export interface ReportSection {
  /** Heading of the section or reply. */
  title: string;
  /** Its lines, in order. */
  lines: string[];
}

/** A command's reply, structured for rich rendering with a plain-text fallback. */
export interface CommandReply {
  /** False when the command was refused or failed. */
  ok: boolean;
  /** Heading of the section or reply. */
  title: string;
  /** Titled blocks of the reply. */
  sections: ReportSection[];
  /** Plain-text rendering of the whole reply (console, fallbacks). */
  text: string;
}
