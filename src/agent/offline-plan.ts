import { classifyIntent, OFFERS, type Intent } from './offline-intents';
import { englishOnlyReply } from './offline-language';
import {
  articleLines,
  billingReply,
  cancelOrderReply,
  changeEmailReply,
  capabilitiesReply,
  crashReply,
  duplicateChargeReply,
  greetingReply,
  orderReply,
  ordersListReply,
  problemReply,
  refundableDuplicates,
  refundReply,
  resetReply,
  statusLines,
  ticketReply,
  unavailableReply,
  unknownReply,
  type Offered,
} from './offline-replies';
import { list, money, num, rec, str, type ToolOutcome, type TurnView } from './offline-results';

/** A tool the model wants to call, before it gets an id. */
export interface PlannedCall {
  name: string;
  args: Record<string, unknown>;
}

/** The offline model's next move: call tools, or answer. */
export type Step = { kind: 'call'; calls: PlannedCall[]; text?: string } | { kind: 'answer'; text: string };

/** Help-center hits below this score are too weak to answer a free-form question with. */
export const KB_MIN_SCORE = 5;

const answer = (text: string): Step => ({ kind: 'answer', text });
const call = (name: string, args: Record<string, unknown>, text?: string): Step => ({ kind: 'call', calls: [{ name, args }], ...(text ? { text } : {}) });

/**
 * Decide the next step from the last user message and the tool results that
 * followed it. Each intent is a tiny state machine: call what is missing, then
 * answer from the results. A tool that already ran this turn is never called
 * again, so a failing tool cannot loop.
 */
export function planStep(turn: TurnView, offered: Offered, consulted = false): Step {
  const intent = classifyIntent(consulted ? { ...turn, onlyOffered: offered } : turn);
  const done = (name: string) => turn.outcomes.find((o) => o.name === name);
  return planIntent(intent, turn, offered, done);
}

function planIntent(intent: Intent, turn: TurnView, offered: Offered, done: (name: string) => ToolOutcome | undefined): Step {
  switch (intent.kind) {
    case 'greeting':
      return answer(greetingReply(offered));
    case 'capabilities':
      return answer(capabilitiesReply(offered));
    case 'thanks':
      return answer("You're welcome! Anything else I can help with?");
    case 'decline':
      return answer('No problem. Is there anything else I can help with?');

    case 'escalate': {
      const result = done('escalate_to_human');
      if (result) return answer(result.status === 'ok' ? handoffText(intent.urgency) : problemReply(result, 'bring in a person from our team', new Set()));
      if (!offered.has('escalate_to_human')) return answer("I'm sorry, I can't bring in a person from here right now. Please contact our support team directly.");
      // The engine posts this text when it hands the conversation over.
      return call('escalate_to_human', { reason: intent.reason, urgency: intent.urgency }, handoffText(intent.urgency));
    }

    case 'reset_password': {
      const result = done('reset_password');
      if (result) return answer(result.status === 'ok' ? resetReply(result.data) : problemReply(result, 'send a password reset link', offered));
      if (offered.has('reset_password')) return call('reset_password', {});
      return accountAccess(turn, offered, done);
    }
    case 'account_access':
      return accountAccess(turn, offered, done);

    case 'double_charge':
    case 'billing': {
      const result = done('list_invoices');
      if (!result) return offered.has('list_invoices') ? call('list_invoices', {}) : answer(unavailableReply('look at billing', offered));
      if (result.status !== 'ok') return answer(problemReply(result, 'look up your invoices', offered));
      if (result.data.found === false) return answer(str(result.data.message) ?? "I couldn't find your invoices.");
      return answer(intent.kind === 'double_charge' ? duplicateChargeReply(result.data, offered) : billingReply(result.data, offered));
    }

    case 'refund':
      return refund(intent, offered, done);

    case 'order': {
      const result = done('look_up_order');
      if (!result) {
        if (!offered.has('look_up_order')) return answer(unavailableReply('look up orders', offered));
        return call('look_up_order', intent.orderId ? { orderId: intent.orderId } : {});
      }
      if (result.status !== 'ok') return answer(problemReply(result, 'look up that order', offered));
      if (result.data.found === false) return answer(str(result.data.message) ?? "I couldn't find that order on your account.");
      return answer('order' in result.data ? orderReply(result.data) : ordersListReply(result.data));
    }

    case 'cancel_order': {
      if (!intent.orderId) return answer('Which order would you like to cancel? Tell me the order id (like ORD-1001).');
      const result = done('look_up_order');
      if (!result) return offered.has('look_up_order') ? call('look_up_order', { orderId: intent.orderId }) : answer(unavailableReply('look up orders', offered));
      if (result.status !== 'ok') return answer(problemReply(result, 'look up that order', offered));
      if (result.data.found === false) return answer(str(result.data.message) ?? "I couldn't find that order on your account.");
      return answer(cancelOrderReply(rec(result.data.order), offered));
    }

    case 'cancel_subscription': {
      // Cancelling is done in settings; a pending duplicate charge is no reason to offer money back here.
      const result = done('search_knowledge_base');
      if (!result && offered.has('search_knowledge_base')) return call('search_knowledge_base', { query: 'cancel plan subscription' });
      const article = result?.status === 'ok' ? articleLines(result.data) : undefined;
      return answer(
        article
          ? `${article}\n\nYou keep access until the end of the period you've paid for.`
          : 'You can cancel your plan under **Settings > Billing > Plan**; you keep access until the end of the period you have paid for.',
      );
    }

    case 'change_email':
      return answer(changeEmailReply(offered));

    case 'foreign_language': {
      const text = englishOnlyReply(intent.language);
      if (done('escalate_to_human') || !offered.has('escalate_to_human')) return answer(text);
      return call('escalate_to_human', { reason: `Customer wrote in a language other than English (${intent.language}); the assistant only helps in English`, urgency: 'normal' }, text);
    }

    case 'crash': {
      const wanted = ['check_service_status', 'search_knowledge_base'].filter((n) => offered.has(n) && !done(n));
      if (wanted.length > 0) {
        return {
          kind: 'call',
          calls: wanted.map((name) => ({ name, args: name === 'search_knowledge_base' ? { query: 'app crashes or will not open troubleshooting' } : {} })),
        };
      }
      return answer(crashReply(done('check_service_status'), done('search_knowledge_base'), offered));
    }

    case 'service_status': {
      const result = done('check_service_status');
      if (!result) return offered.has('check_service_status') ? call('check_service_status', {}) : answer(unavailableReply('check service status', offered));
      return answer(result.status === 'ok' ? statusLines(result.data) : problemReply(result, 'check service status', offered));
    }

    case 'ticket': {
      const result = done('create_ticket');
      if (result) return answer(result.status === 'ok' ? ticketReply(result.data) : problemReply(result, 'open a ticket', offered));
      if (!offered.has('create_ticket')) return answer(unavailableReply('open tickets', offered));
      return call('create_ticket', { subject: intent.subject, description: intent.description });
    }
    case 'ticket_needs_details':
      return answer(`Sure. ${OFFERS.ticketDetails} Describe the problem in a sentence or two.`);

    case 'question': {
      const result = done('search_knowledge_base');
      if (!result) return offered.has('search_knowledge_base') ? call('search_knowledge_base', { query: intent.query }) : answer(unknownReply(offered));
      const [top] = list(result.data.results);
      const article = result.status === 'ok' && (num(top?.score) ?? 0) >= KB_MIN_SCORE ? articleLines(result.data) : undefined;
      return answer(article ?? pastCaseReply(turn) ?? unknownReply(offered));
    }
    case 'unknown':
      return answer(pastCaseReply(turn) ?? unknownReply(offered));
  }
}

function handoffText(urgency: string): string {
  const pace = urgency === 'high' || urgency === 'urgent' ? ' and marked it urgent' : '';
  return `I'm sorry for the trouble. I've asked a person from our team to take over this conversation${pace}; they'll reply right here.`;
}

function accountAccess(turn: TurnView, offered: Offered, done: (name: string) => ToolOutcome | undefined): Step {
  const result = done('search_knowledge_base');
  if (!result && offered.has('search_knowledge_base')) return call('search_knowledge_base', { query: "can't sign in locked out reset password" });
  const article = result?.status === 'ok' ? articleLines(result.data) : undefined;
  const offer = offered.has('reset_password')
    ? `Would you like me to ${OFFERS.reset} to the email address on your account?`
    : offered.has('escalate_to_human')
      ? `If that doesn't work, would you like me to ${OFFERS.human}?`
      : '';
  return answer(["Sorry you're having trouble getting in.", article, offer].filter(Boolean).join('\n\n'));
}

/** Refund: find what to refund (order, named charge, or the duplicate), then request it; the engine handles approval. */
function refund(intent: Extract<Intent, { kind: 'refund' }>, offered: Offered, done: (name: string) => ToolOutcome | undefined): Step {
  const refunded = done('issue_refund');
  if (refunded) return answer(refunded.status === 'ok' ? refundReply(refunded.data) : problemReply(refunded, 'issue that refund', offered));
  if (!offered.has('issue_refund')) return answer(unavailableReply('issue refunds', offered));

  if (intent.orderId && !intent.chargeId) {
    const looked = done('look_up_order');
    if (!looked) return offered.has('look_up_order') ? call('look_up_order', { orderId: intent.orderId }) : answer(`${OFFERS.refundWhich} I need the amount too.`);
    if (looked.status !== 'ok') return answer(problemReply(looked, 'look up that order', offered));
    if (looked.data.found === false) return answer(str(looked.data.message) ?? "I couldn't find that order on your account.");
    const payment = rec(rec(looked.data.order).payment);
    const left = num(payment.refundableUsd) ?? 0;
    if (left <= 0) return answer(`Order ${intent.orderId} has already been refunded in full (${money(payment.refundedUsd)}).`);
    return call('issue_refund', { orderId: intent.orderId, amountUsd: left, reason: `Customer asked for a refund of order ${intent.orderId}` });
  }

  const invoices = done('list_invoices');
  if (!invoices) return offered.has('list_invoices') ? call('list_invoices', {}) : answer(`${OFFERS.refundWhich} Tell me the order id (like ORD-1001).`);
  if (invoices.status !== 'ok') return answer(problemReply(invoices, 'look up your charges', offered));
  if (invoices.data.found === false) return answer(str(invoices.data.message) ?? "I couldn't find your charges.");

  const charges = list(invoices.data.invoices).flatMap((i) => list(i.charges));
  if (intent.chargeId) {
    const charge = charges.find((c) => str(c.id) === intent.chargeId);
    if (!charge) return answer(`Charge ${intent.chargeId} was not found on your account.`);
    const left = num(charge.refundableUsd) ?? 0;
    if (left <= 0) return answer(`Charge ${intent.chargeId} has already been refunded in full.`);
    return call('issue_refund', { chargeId: intent.chargeId, amountUsd: left, reason: `Customer asked for a refund of charge ${intent.chargeId}` });
  }
  const [dup] = refundableDuplicates(invoices.data);
  if (dup) {
    return call('issue_refund', {
      chargeId: str(dup.id),
      amountUsd: num(dup.refundableUsd),
      reason: `Duplicate charge: repeats ${str(dup.duplicateOf) ?? 'an identical charge'} the same day`,
    });
  }
  const recent = charges
    .filter((c) => (num(c.refundableUsd) ?? 0) > 0)
    .slice(0, 4)
    .map((c) => `- \`${str(c.id)}\`: ${str(c.description)}, ${money(c.amountUsd)}`);
  return answer(`I don't see a duplicate charge to refund. ${OFFERS.refundWhich} Tell me the order id (like ORD-1001) or the charge${recent.length ? `:\n${recent.join('\n')}` : '.'}`);
}

/** With nothing better, what solved a similar past case (memory's hint), cited as a past case. */
function pastCaseReply(turn: TurnView): string | undefined {
  const [resolution] = turn.pastResolutions;
  if (!resolution || turn.earlierUserTexts.length > 0) return undefined;
  return `A past case with a similar problem was solved like this: ${resolution}\n\nCould you try that and tell me whether it helps? If not, reply *human* and a teammate will take a look.`;
}
