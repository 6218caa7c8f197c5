import type { Urgency } from '../ports';
import { correctTypos } from './offline-fuzzy';
import { detectForeignLanguage, type ForeignLanguage } from './offline-language';

/**
 * Phrases the offline model ends its offers with. Recognising them in the
 * previous reply is how a bare "yes please" finds what it agrees to.
 */
export const OFFERS = {
  refund: 'request a refund',
  reset: 'send a password reset link',
  ticket: 'open a support ticket',
  human: 'bring in a person from our team',
  ticketDetails: 'What should the ticket say?',
  refundWhich: 'Which order or charge should I refund?',
} as const;

/** What the customer wants, as far as simple rules can tell. */
export type Intent =
  | { kind: 'greeting' }
  | { kind: 'capabilities' }
  | { kind: 'thanks' }
  | { kind: 'decline' }
  | { kind: 'escalate'; urgency: Urgency; reason: string }
  | { kind: 'reset_password' }
  | { kind: 'account_access' }
  | { kind: 'refund'; orderId?: string; chargeId?: string }
  | { kind: 'double_charge' }
  | { kind: 'billing' }
  | { kind: 'order'; orderId?: string }
  | { kind: 'cancel_order'; orderId?: string }
  | { kind: 'cancel_subscription' }
  | { kind: 'change_email' }
  | { kind: 'foreign_language'; language: ForeignLanguage }
  | { kind: 'crash' }
  | { kind: 'service_status' }
  | { kind: 'ticket'; subject: string; description: string }
  | { kind: 'ticket_needs_details' }
  | { kind: 'question'; query: string }
  | { kind: 'unknown' };

/** The last user message and what came just before it. */
export interface IntentInput {
  text: string;
  /** The assistant's last text reply before this message, if any. */
  previousReply: string | undefined;
  /** Earlier user messages, most recent first (for "yes, open a ticket"). */
  earlierUserTexts: string[];
  /**
   * Set when the model is consulted for one part of a cross-domain message:
   * the tools offered. A part whose tools are not offered is another
   * specialist's, so its rules are skipped.
   */
  onlyOffered?: ReadonlySet<string>;
}

/** Tools each domain intent needs; in a consultation, an intent none of whose tools is offered is skipped. */
const TOOLS_OF: Partial<Record<Intent['kind'], readonly string[]>> = {
  reset_password: ['reset_password'],
  cancel_order: ['look_up_order'],
  order: ['look_up_order'],
  refund: ['issue_refund', 'list_invoices'],
  double_charge: ['list_invoices'],
  billing: ['list_invoices'],
  crash: ['check_service_status'],
  service_status: ['check_service_status'],
};

const HUMAN = /\b(manager|supervisor|human|real person|a person|actual person|live agent|representative|someone (real|from your team)|speak to (someone|somebody)|talk to (someone|somebody))\b/;
const PRESSING = /\b(manager|supervisor|immediately|right now|asap|urgent(ly)?|unacceptable)\b|!/;
// A bare answer to an offer is made of these words only, so "please reset my password" is not a "yes".
// Checked word by word rather than with a nested regex, which could backtrack badly on long input.
const THANK_WORDS = ['thanks', 'thank', 'you'];
const YES_WORDS = new Set(['yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'please', 'do', 'it', 'that', 'go', 'ahead', 'sounds', 'good', 'y', 'would', 'be', 'great', ...THANK_WORDS]);
const NO_WORDS = new Set(['no', 'nope', 'nah', 'not', 'now', 'never', 'mind', 'nevermind', ...THANK_WORDS]);
const madeOf = (words: string[], allowed: ReadonlySet<string>) =>
  words.length > 0 && words.every((w) => allowed.has(w)) && !words.every((w) => THANK_WORDS.includes(w));
const RESET = /\b(reset|change|new)\b.{0,20}\bpassword\b|\bpassword reset\b|\breset link\b/;
const ACCESS =
  /\b(can'?t|cannot|can not|unable to|couldn'?t|could not|won'?t let me)\b.{0,20}\b(log ?in|sign ?in|access|get into|login)\b|\blocked out\b|\bforg[eo]t\w*\b.{0,10}\bpassword\b|\blost access\b|\b(login|log-in|sign-in) (problem|issue)s?\b/;
const REFUND = /\brefund|\bmoney back\b|\breimburse/;
const POLICY = /\bpolic(y|ies)\b|\bhow (long|do|does)\b|\bwhen will\b|\bhow many days\b/;
const DOUBLE = /\bcharged (me )?twice\b|\bdouble[- ]?(charged?|billed|payment)\b|\bduplicate (charge|payment)s?\b|\bbilled twice\b|\btwo (identical )?charges\b|\bcharged two times\b/;
const ORDER = /\b(order|orders|package|parcel|delivery|deliver(ed)?|shipping|shipment|shipped|tracking|track)\b/;
const CRASH = /\bcrash|\bfreez|\bkeeps? (closing|quitting)\b|\bwon'?t (open|start|launch)\b|\bnot (opening|starting|launching)\b/;
const STATUS = /\b(outage|status page|service status|is (it|the \w+|everything) (down|working)|are you down|down for everyone)\b/;
const TICKET = /\b(create|open|file|raise|log|submit|make|start)\b.{0,15}\b(ticket|case)\b|^ticket\b/;
const CANCEL = /\b(cancel|cancell?ing|cancell?ation|terminate|end)\b/;
const SUBSCRIPTION = /\b(subscription|plan|membership|renewal|pro plan|basic plan)\b/;
const EMAIL_CHANGE = /\b(change|update|edit|switch|new)\b.{0,25}\be-?mail( address)?\b|\be-?mail( address)?\b.{0,20}\b(change|update)\b/;
const BILLING = /\b(invoice|invoices|billing|bill|billed|charge|charges|charged|payment|payments|subscription|plan|receipt)\b/;
const GREETING = /^(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|greetings)\b/;
const HELP = /^(help|\?|menu)$|\bwhat can you (do|help)\b|\bhow can you help\b/;
const THANKS = /^(thanks|thank you|thx|ty|cheers|great|perfect|awesome|that helps)\b/;
const QUESTION = /\?$|^(how|what|where|when|why|which|who|can|could|do|does|is|are|should|will)\b/;

/** `ORD-1001` from "ord 1001", "order #ORD-1001", "ORD-1001". */
export function findOrderId(text: string): string | undefined {
  const m = /\bord[-\s#]?(\d{4,8})\b/i.exec(text);
  return m ? `ORD-${m[1]}` : undefined;
}

/** `ch_3005` anywhere in the text. */
export function findChargeId(text: string): string | undefined {
  return /\bch_[a-z0-9]{1,32}\b/i.exec(text)?.[0].toLowerCase();
}

/** The final paragraph of a reply: where offers are made. */
function closingOf(reply: string | undefined): string {
  const paragraphs = (reply ?? '').trim().split(/\n\s*\n/);
  return paragraphs[paragraphs.length - 1] ?? '';
}

/** Decide the intent of the last user message, using the previous reply for short answers. */
export function classifyIntent({ text, previousReply, earlierUserTexts, onlyOffered }: IntentInput): Intent {
  const mine = (kind: Intent['kind']) => !onlyOffered || !TOOLS_OF[kind] || TOOLS_OF[kind].some((name) => onlyOffered.has(name));
  const language = detectForeignLanguage(text);
  if (language) return { kind: 'foreign_language', language };
  // Rules match keywords, so misspelt keywords are corrected first ("chraged twise").
  const t = correctTypos(text.trim().toLowerCase().replace(/[’‘]/g, "'"));
  const tokens = t.split(/[\s,.!?]+/).filter(Boolean);
  const words = tokens.length;
  const offer = closingOf(previousReply);
  const orderId = findOrderId(t);
  const chargeId = findChargeId(t);

  if (HUMAN.test(t)) {
    return { kind: 'escalate', urgency: PRESSING.test(t) ? 'high' : 'normal', reason: `Customer asked for a person: "${text.trim().slice(0, 200)}"` };
  }
  if (madeOf(tokens, YES_WORDS)) {
    if (offer.includes(OFFERS.refund)) return { kind: 'refund' };
    if (offer.includes(OFFERS.reset)) return { kind: 'reset_password' };
    if (offer.includes(OFFERS.ticket)) return ticketFromContext(earlierUserTexts);
    if (offer.includes(OFFERS.human)) return { kind: 'escalate', urgency: 'normal', reason: 'Customer accepted the offer of a person from the team' };
    return { kind: 'capabilities' };
  }
  if (madeOf(tokens, NO_WORDS)) return { kind: 'decline' };
  if (offer.includes(OFFERS.refundWhich) && (orderId || chargeId)) return { kind: 'refund', ...(orderId ? { orderId } : {}), ...(chargeId ? { chargeId } : {}) };
  if (offer.includes(OFFERS.ticketDetails) && !TICKET.test(t)) return ticketIntent(text, text);

  if (RESET.test(t) && mine('reset_password')) return { kind: 'reset_password' };
  // Before refunds and billing: cancelling is not a request for money back, and "subscription" alone is not a billing question.
  if (CANCEL.test(t) && (orderId || /\border\b/.test(t)) && mine('cancel_order')) return { kind: 'cancel_order', ...(orderId ? { orderId } : {}) };
  if (CANCEL.test(t) && SUBSCRIPTION.test(t)) return { kind: 'cancel_subscription' };
  if (EMAIL_CHANGE.test(t)) return { kind: 'change_email' };
  if (REFUND.test(t) && !POLICY.test(t) && mine('refund')) return { kind: 'refund', ...(orderId ? { orderId } : {}), ...(chargeId ? { chargeId } : {}) };
  if (DOUBLE.test(t) && mine('double_charge')) return { kind: 'double_charge' };
  if (TICKET.test(t)) {
    const details = text.replace(/^[^:]*\b(ticket|case)\b[^:]*:?/i, '').trim();
    if (details.length >= 3) return ticketIntent(details, details);
    return ticketFromContext(earlierUserTexts);
  }
  if (CRASH.test(t) && mine('crash')) return { kind: 'crash' };
  if (ACCESS.test(t)) return { kind: 'account_access' };
  if ((orderId || (ORDER.test(t) && !POLICY.test(t))) && mine('order')) return { kind: 'order', ...(orderId ? { orderId } : {}) };
  if (STATUS.test(t) && mine('service_status')) return { kind: 'service_status' };
  if (BILLING.test(t) && !POLICY.test(t) && mine('billing')) return { kind: 'billing' };
  if (words <= 4 && GREETING.test(t)) return { kind: 'greeting' };
  if (HELP.test(t)) return { kind: 'capabilities' };
  if (words <= 5 && THANKS.test(t)) return { kind: 'thanks' };
  if (QUESTION.test(t) || POLICY.test(t)) return { kind: 'question', query: text.trim().slice(0, 300) };
  return { kind: 'unknown' };
}

/** Subjects for tickets opened after the assistant offered one. */
const TOPIC_SUBJECTS: Partial<Record<Intent['kind'], string>> = {
  crash: 'App keeps crashing',
  account_access: "Can't access my account",
  double_charge: 'Possible double charge',
  billing: 'Billing question',
  service_status: 'Service problem',
  refund: 'Refund request',
  cancel_subscription: 'Cancel my subscription',
  change_email: 'Change the email address on my account',
};

/** "Yes, open a ticket" takes its subject from the conversation's last real topic. */
function ticketFromContext(earlierUserTexts: string[]): Intent {
  for (const earlier of earlierUserTexts) {
    const kind = classifyIntent({ text: earlier, previousReply: undefined, earlierUserTexts: [] }).kind;
    if (kind === 'greeting' || kind === 'thanks' || kind === 'decline' || kind === 'capabilities' || kind === 'ticket_needs_details') continue;
    if (kind === 'ticket') continue;
    const orderId = findOrderId(earlier);
    const subject =
      kind === 'order' && orderId ? `Question about order ${orderId}` : kind === 'cancel_order' && orderId ? `Cancel order ${orderId}` : TOPIC_SUBJECTS[kind] ?? earlier;
    return ticketIntent(subject, earlier);
  }
  return { kind: 'ticket_needs_details' };
}

function ticketIntent(subject: string, description: string): Intent {
  const oneLine = subject.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > 80 ? `${oneLine.slice(0, 77).trimEnd()}...` : oneLine;
  return { kind: 'ticket', subject: short.length >= 3 ? short : 'Support request', description: description.trim().slice(0, 4000) };
}
