/**
 * The demo helpdesk's words and patterns for the offline model: what a
 * customer asking about orders, charges, refunds, passwords or crashes says.
 */

/**
 * Phrases the helpdesk's offline replies end their offers with. Recognising
 * them in the previous reply is how a bare "yes please" finds what it agrees to.
 */
export const OFFERS = {
  refund: 'request a refund',
  reset: 'send a password reset link',
  ticket: 'open a support ticket',
  ticketDetails: 'What should the ticket say?',
  refundWhich: 'Which order or charge should I refund?',
} as const;

/** Words the rules look for, so misspellings ("chraged twise") are corrected first. */
export const HELPDESK_KEYWORDS = [
  'charged', 'charge', 'charges', 'twice', 'double', 'duplicate', 'refund', 'refunded', 'billed', 'billing', 'invoice', 'invoices',
  'payment', 'subscription', 'cancel', 'cancelled', 'canceled', 'order', 'orders', 'package', 'delivery', 'delivered', 'shipping',
  'shipped', 'tracking', 'password', 'reset', 'account', 'access', 'locked', 'login', 'forgot', 'crashing', 'crashes', 'crash',
  'freezing', 'ticket', 'status', 'outage', 'email', 'address', 'application', 'unable', 'cannot',
];

export const RESET = /\b(reset|change|new)\b.{0,20}\bpassword\b|\bpassword reset\b|\breset link\b/;
export const ACCESS =
  /\b(can'?t|cannot|can not|unable to|couldn'?t|could not|won'?t let me)\b.{0,20}\b(log ?in|sign ?in|access|get into|login)\b|\blocked out\b|\bforg[eo]t\w*\b.{0,10}\bpassword\b|\blost access\b|\b(login|log-in|sign-in) (problem|issue)s?\b/;
export const REFUND = /\brefund|\bmoney back\b|\breimburse/;
export const DOUBLE = /\bcharged (me )?twice\b|\bdouble[- ]?(charged?|billed|payment)\b|\bduplicate (charge|payment)s?\b|\bbilled twice\b|\btwo (identical )?charges\b|\bcharged two times\b/;
export const ORDER = /\b(order|orders|package|parcel|delivery|deliver(ed)?|shipping|shipment|shipped|tracking|track)\b/;
export const CRASH = /\bcrash|\bfreez|\bkeeps? (closing|quitting)\b|\bwon'?t (open|start|launch)\b|\bnot (opening|starting|launching)\b/;
export const STATUS = /\b(outage|status page|service status|is (it|the \w+|everything) (down|working)|are you down|down for everyone)\b/;
export const TICKET = /\b(create|open|file|raise|log|submit|make|start)\b.{0,15}\b(ticket|case)\b|^ticket\b/;
export const CANCEL = /\b(cancel|cancell?ing|cancell?ation|terminate|end)\b/;
export const SUBSCRIPTION = /\b(subscription|plan|membership|renewal|pro plan|basic plan)\b/;
export const EMAIL_CHANGE = /\b(change|update|edit|switch|new)\b.{0,25}\be-?mail( address)?\b|\be-?mail( address)?\b.{0,20}\b(change|update)\b/;
export const BILLING = /\b(invoice|invoices|billing|bill|billed|charge|charges|charged|payment|payments|subscription|plan|receipt)\b/;

/** `ORD-1001` from "ord 1001", "order #ORD-1001", "ORD-1001". */
export function findOrderId(text: string): string | undefined {
  const m = /\bord[-\s#]?(\d{4,8})\b/i.exec(text);
  return m ? `ORD-${m[1]}` : undefined;
}

/** `ch_3005` anywhere in the text. */
export function findChargeId(text: string): string | undefined {
  return /\bch_[a-z0-9]{1,32}\b/i.exec(text)?.[0].toLowerCase();
}
