import type { Offered } from './offline-intent';
import { list, str, type ToolOutcome } from './offline-results';

/** The offer of a person; a bare "yes" to a reply ending with it escalates. */
export const HUMAN_OFFER = 'bring in a person from our team';

/** "Would you like me to bring in a person…?" when escalation is offered, else ''. */
export const humanOffer = (offered: Offered): string => (offered.has('escalate_to_human') ? `\n\nWould you like me to ${HUMAN_OFFER}?` : '');

/** Capability lines by tool name, from the intents and the generic ones. */
export type CapabilityLines = ReadonlyMap<string, string>;

/** The engine's own capability lines (help-center search, a person). */
export const GENERIC_CAPABILITIES: ReadonlyArray<{ tool: string; text: string }> = [
  { tool: 'search_knowledge_base', text: '- **How-to questions** from our help center' },
  { tool: 'escalate_to_human', text: '- **A person from our team** whenever you prefer' },
];

/** What the assistant can do with the tools on offer, as a short list (in the order tools are offered). */
export function capabilitiesReply(offered: Offered, lines: CapabilityLines, opening = "Here's what I can help with:"): string {
  const shown = [...offered].map((tool) => lines.get(tool)).filter((l): l is string => typeof l === 'string');
  if (shown.length === 0) return "I'm the support assistant. I can't look anything up right now, but tell me what's wrong and I'll do my best.";
  return `${opening}\n${shown.join('\n')}`;
}

/** For requests no rule understood. */
export function unknownReply(offered: Offered, lines: CapabilityLines): string {
  return `Sorry, I'm not sure I can help with that. ${capabilitiesReply(offered, lines)}${humanOffer(offered)}`;
}

/** A tool is not available to this caller (not offered): say so plainly. */
export function unavailableReply(what: string, offered: Offered): string {
  return `I can't ${what} from here, sorry.${humanOffer(offered)}`;
}

/** Wording overrides for `problemReply`. */
export interface ProblemWording {
  /** Said when an approver (or the requester) denied the call. */
  denied?: string;
}

/** A call that did not produce a result: error, refusal, denial, expiry. */
export function problemReply(outcome: ToolOutcome, what: string, offered: Offered, wording: ProblemWording = {}): string {
  const detail = outcome.message && outcome.message.length <= 200 ? ` (${outcome.message.replace(/\.$/, '')})` : '';
  switch (outcome.status) {
    case 'denied':
      return wording.denied ?? `A staff member denied the request to ${what}, so nothing was changed.${humanOffer(offered)}`;
    case 'expired':
      return `The approval to ${what} expired before anyone decided, so nothing was changed. Just ask if you'd like me to try again.`;
    case 'cancelled':
      return `I stopped trying to ${what}${detail}.`;
    case 'pending':
      return `I've asked for approval to ${what}. I'll update you here as soon as someone decides.`;
    case 'refused':
      return `I'm not allowed to ${what} for your account${detail}.${humanOffer(offered)}`;
    default:
      return `I couldn't ${what}${detail}.${humanOffer(offered)}`;
  }
}

/** The best help-center hit (`search_knowledge_base` result) as a short answer. */
export function articleLines(data: Record<string, unknown>): string | undefined {
  const [top] = list(data.results);
  if (!top || !str(top.title)) return undefined;
  return `From our help center, **${str(top.title)}**:\n> ${str(top.snippet) ?? ''}`;
}
