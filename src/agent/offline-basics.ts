import type { Urgency } from '../ports';
import { answer, callTool, defineOfflineIntent, type OfflineIntent } from './offline-intent';
import { detectForeignLanguage, englishOnlyReply, type ForeignLanguage } from './offline-language';
import { articleLines, capabilitiesReply, HUMAN_OFFER, problemReply, unknownReply, type CapabilityLines } from './offline-replies';
import { list, num, type TurnView } from './offline-results';

/**
 * The offline model's generic intents, whatever the plugins: foreign
 * language, asking for a person, greetings, thanks, "no", help-center
 * questions and the rest. Plugins' intents add the domain.
 */

/** Help-center hits below this score are too weak to answer a free-form question with. */
export const KB_MIN_SCORE = 5;

const HUMAN = /\b(manager|supervisor|human|real person|a person|actual person|live agent|representative|someone (real|from your team)|speak to (someone|somebody)|talk to (someone|somebody))\b/;
const PRESSING = /\b(manager|supervisor|immediately|right now|asap|urgent(ly)?|unacceptable)\b|!/;
const GREETING = /^(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|greetings)\b/;
const HELP = /^(help|\?|menu)$|\bwhat can you (do|help)\b|\bhow can you help\b/;
const THANKS = /^(thanks|thank you|thx|ty|cheers|great|perfect|awesome|that helps)\b/;
const QUESTION = /\?$|^(how|what|where|when|why|which|who|can|could|do|does|is|are|should|will)\b/;
/** Questions about a policy or a process ("how long does a refund take"), not requests. Plugins' rules may use it too. */
export const POLICY_QUESTION = /\bpolic(y|ies)\b|\bhow (long|do|does)\b|\bwhen will\b|\bhow many days\b/;

/** Words the generic rules look for, so their misspellings are corrected. */
export const GENERIC_KEYWORDS = ['manager', 'supervisor', 'person'];

function handoffText(urgency: string): string {
  const pace = urgency === 'high' || urgency === 'urgent' ? ' and marked it urgent' : '';
  return `I'm sorry for the trouble. I've asked a person from our team to take over this conversation${pace}; they'll reply right here.`;
}

/** With nothing better, what solved a similar past case (memory's hint), cited as a past case. */
function pastCaseReply(turn: TurnView): string | undefined {
  const [resolution] = turn.pastResolutions;
  if (!resolution || turn.earlierUserTexts.length > 0) return undefined;
  return `A past case with a similar problem was solved like this: ${resolution}\n\nCould you try that and tell me whether it helps? If not, reply *human* and a teammate will take a look.`;
}

export const foreignLanguageIntent = defineOfflineIntent<{ language: ForeignLanguage }>({
  name: 'foreign_language',
  match: (input) => {
    const language = detectForeignLanguage(input.text);
    return language ? { language } : undefined;
  },
  plan: ({ details, offered, done }) => {
    const text = englishOnlyReply(details.language);
    if (done('escalate_to_human') || !offered.has('escalate_to_human')) return answer(text);
    return callTool('escalate_to_human', { reason: `Customer wrote in a language other than English (${details.language}); the assistant only helps in English`, urgency: 'normal' }, text);
  },
});

export const escalateIntent = defineOfflineIntent<{ urgency: Urgency; reason: string }>({
  name: 'escalate',
  keywords: GENERIC_KEYWORDS,
  offers: [HUMAN_OFFER],
  accept: () => ({ urgency: 'normal', reason: 'Customer accepted the offer of a person from the team' }),
  match: ({ normalized, text }) =>
    HUMAN.test(normalized) ? { urgency: PRESSING.test(normalized) ? 'high' : 'normal', reason: `Customer asked for a person: "${text.trim().slice(0, 200)}"` } : undefined,
  plan: ({ details, done, offered }) => {
    const result = done('escalate_to_human');
    if (result) return answer(result.status === 'ok' ? handoffText(details.urgency) : problemReply(result, HUMAN_OFFER, new Set()));
    if (!offered.has('escalate_to_human')) return answer("I'm sorry, I can't bring in a person from here right now. Please contact our support team directly.");
    // The engine posts this text when it hands the conversation over.
    return callTool('escalate_to_human', { reason: details.reason, urgency: details.urgency }, handoffText(details.urgency));
  },
});

export const declineIntent = defineOfflineIntent({ name: 'decline', plan: () => answer('No problem. Is there anything else I can help with?') });

/** Generic intents that need the capability lines of every intent. */
export function closingIntents(lines: CapabilityLines): { capabilities: OfflineIntent; after: OfflineIntent[]; unknown: OfflineIntent } {
  const capabilities = defineOfflineIntent({
    name: 'capabilities',
    match: ({ normalized }) => (HELP.test(normalized) ? {} : undefined),
    plan: ({ offered }) => answer(capabilitiesReply(offered, lines)),
  });
  const greeting = defineOfflineIntent({
    name: 'greeting',
    match: ({ normalized, words }) => (words.length <= 4 && GREETING.test(normalized) ? {} : undefined),
    plan: ({ offered }) => answer(capabilitiesReply(offered, lines, "Hi! I'm the support assistant. Here's what I can help with:")),
  });
  const thanks = defineOfflineIntent({
    name: 'thanks',
    match: ({ normalized, words }) => (words.length <= 5 && THANKS.test(normalized) ? {} : undefined),
    plan: () => answer("You're welcome! Anything else I can help with?"),
  });
  const question = defineOfflineIntent<{ query: string }>({
    name: 'question',
    match: ({ normalized, text }) => (QUESTION.test(normalized) || POLICY_QUESTION.test(normalized) ? { query: text.trim().slice(0, 300) } : undefined),
    plan: ({ details, turn, offered, done }) => {
      const result = done('search_knowledge_base');
      if (!result) return offered.has('search_knowledge_base') ? callTool('search_knowledge_base', { query: details.query }) : answer(unknownReply(offered, lines));
      const [top] = list(result.data.results);
      const article = result.status === 'ok' && (num(top?.score) ?? 0) >= KB_MIN_SCORE ? articleLines(result.data) : undefined;
      return answer(article ?? pastCaseReply(turn) ?? unknownReply(offered, lines));
    },
  });
  const unknown = defineOfflineIntent({
    name: 'unknown',
    plan: ({ turn, offered }) => answer(pastCaseReply(turn) ?? unknownReply(offered, lines)),
  });
  return { capabilities, after: [greeting, capabilities, thanks, question], unknown };
}
