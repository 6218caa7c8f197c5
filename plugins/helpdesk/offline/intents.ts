import {
  answer,
  articleLines,
  callTool,
  defineOfflineIntent,
  list,
  money,
  num,
  POLICY_QUESTION,
  problemReply,
  rec,
  str,
  unavailableReply,
  type OfflineContext,
  type OfflineInput,
  type OfflineIntent,
  type Step,
} from '../../../src/index';
import {
  billingReply,
  cancelOrderReply,
  changeEmailReply,
  crashReply,
  duplicateChargeReply,
  orderReply,
  ordersListReply,
  refundableDuplicates,
  refundReply,
  resetReply,
  statusLines,
  ticketReply,
} from './replies';
import {
  ACCESS,
  BILLING,
  CANCEL,
  CRASH,
  DOUBLE,
  EMAIL_CHANGE,
  findChargeId,
  findOrderId,
  HELPDESK_KEYWORDS,
  OFFERS,
  ORDER,
  REFUND,
  RESET,
  STATUS,
  SUBSCRIPTION,
  TICKET,
} from './rules';

/**
 * What the offline model understands about the demo helpdesk, in the order
 * the rules are tried: each intent calls what it is missing, then answers
 * from the tool results. The engine adds greetings, a person, questions.
 */

type Ids = { orderId?: string; chargeId?: string };
const ids = (t: string): Ids => {
  const orderId = findOrderId(t);
  const chargeId = findChargeId(t);
  return { ...(orderId ? { orderId } : {}), ...(chargeId ? { chargeId } : {}) };
};
const orderNotFound = (data: Record<string, unknown>) => str(data.message) ?? "I couldn't find that order on your account.";

const accountAccessStep = ({ offered, done }: Pick<OfflineContext<object>, 'offered' | 'done'>): Step => {
  const result = done('search_knowledge_base');
  if (!result && offered.has('search_knowledge_base')) return callTool('search_knowledge_base', { query: "can't sign in locked out reset password" });
  const article = result?.status === 'ok' ? articleLines(result.data) : undefined;
  const offer = offered.has('reset_password')
    ? `Would you like me to ${OFFERS.reset} to the email address on your account?`
    : offered.has('escalate_to_human')
      ? "If that doesn't work, would you like me to bring in a person from our team?"
      : '';
  return answer(["Sorry you're having trouble getting in.", article, offer].filter(Boolean).join('\n\n'));
};

const resetPassword = defineOfflineIntent({
  name: 'reset_password',
  tools: ['reset_password'],
  keywords: HELPDESK_KEYWORDS,
  offers: [OFFERS.reset],
  match: ({ normalized }) => (RESET.test(normalized) ? {} : undefined),
  plan: (ctx) => {
    const result = ctx.done('reset_password');
    const denied = "OK, I didn't send a reset link. Let me know if you change your mind.";
    if (result) return answer(result.status === 'ok' ? resetReply(result.data) : problemReply(result, 'send a password reset link', ctx.offered, { denied }));
    if (ctx.offered.has('reset_password')) return callTool('reset_password', {});
    return accountAccessStep(ctx);
  },
  capabilities: [{ tool: 'reset_password', text: '- **Account access**: password reset links' }],
});

// Before refunds and billing: cancelling is not a request for money back, and "subscription" alone is not a billing question.
const cancelOrder = defineOfflineIntent<{ orderId?: string }>({
  name: 'cancel_order',
  tools: ['look_up_order'],
  match: ({ normalized }) => {
    const orderId = findOrderId(normalized);
    return CANCEL.test(normalized) && (orderId || /\border\b/.test(normalized)) ? (orderId ? { orderId } : {}) : undefined;
  },
  plan: ({ details, offered, done }) => {
    if (!details.orderId) return answer('Which order would you like to cancel? Tell me the order id (like ORD-1001).');
    const result = done('look_up_order');
    if (!result) return offered.has('look_up_order') ? callTool('look_up_order', { orderId: details.orderId }) : answer(unavailableReply('look up orders', offered));
    if (result.status !== 'ok') return answer(problemReply(result, 'look up that order', offered));
    if (result.data.found === false) return answer(orderNotFound(result.data));
    return answer(cancelOrderReply(rec(result.data.order), offered));
  },
});

const cancelSubscription = defineOfflineIntent({
  name: 'cancel_subscription',
  match: ({ normalized }) => (CANCEL.test(normalized) && SUBSCRIPTION.test(normalized) ? {} : undefined),
  plan: ({ offered, done }) => {
    // Cancelling is done in settings; a pending duplicate charge is no reason to offer money back here.
    const result = done('search_knowledge_base');
    if (!result && offered.has('search_knowledge_base')) return callTool('search_knowledge_base', { query: 'cancel plan subscription' });
    const article = result?.status === 'ok' ? articleLines(result.data) : undefined;
    return answer(
      article
        ? `${article}\n\nYou keep access until the end of the period you've paid for.`
        : 'You can cancel your plan under **Settings > Billing > Plan**; you keep access until the end of the period you have paid for.',
    );
  },
});

const changeEmail = defineOfflineIntent({
  name: 'change_email',
  match: ({ normalized }) => (EMAIL_CHANGE.test(normalized) ? {} : undefined),
  plan: ({ offered }) => answer(changeEmailReply(offered)),
});

/** Refund: find what to refund (order, named charge, or the duplicate), then request it; the engine handles approval. */
const refund = defineOfflineIntent<Ids>({
  name: 'refund',
  tools: ['issue_refund', 'list_invoices'],
  offers: [OFFERS.refund],
  followUp: ({ offer, normalized }) => {
    const found = ids(normalized);
    return offer.includes(OFFERS.refundWhich) && (found.orderId || found.chargeId) ? found : undefined;
  },
  match: ({ normalized }) => (REFUND.test(normalized) && !POLICY_QUESTION.test(normalized) ? ids(normalized) : undefined),
  plan: ({ details, offered, done }) => {
    const refunded = done('issue_refund');
    if (refunded) return answer(refunded.status === 'ok' ? refundReply(refunded.data) : problemReply(refunded, 'issue that refund', offered));
    if (!offered.has('issue_refund')) return answer(unavailableReply('issue refunds', offered));

    if (details.orderId && !details.chargeId) {
      const looked = done('look_up_order');
      if (!looked) return offered.has('look_up_order') ? callTool('look_up_order', { orderId: details.orderId }) : answer(`${OFFERS.refundWhich} I need the amount too.`);
      if (looked.status !== 'ok') return answer(problemReply(looked, 'look up that order', offered));
      if (looked.data.found === false) return answer(orderNotFound(looked.data));
      const payment = rec(rec(looked.data.order).payment);
      const left = num(payment.refundableUsd) ?? 0;
      if (left <= 0) return answer(`Order ${details.orderId} has already been refunded in full (${money(payment.refundedUsd)}).`);
      return callTool('issue_refund', { orderId: details.orderId, amountUsd: left, reason: `Customer asked for a refund of order ${details.orderId}` });
    }

    const invoices = done('list_invoices');
    if (!invoices) return offered.has('list_invoices') ? callTool('list_invoices', {}) : answer(`${OFFERS.refundWhich} Tell me the order id (like ORD-1001).`);
    if (invoices.status !== 'ok') return answer(problemReply(invoices, 'look up your charges', offered));
    if (invoices.data.found === false) return answer(str(invoices.data.message) ?? "I couldn't find your charges.");

    const charges = list(invoices.data.invoices).flatMap((i) => list(i.charges));
    if (details.chargeId) {
      const charge = charges.find((c) => str(c.id) === details.chargeId);
      if (!charge) return answer(`Charge ${details.chargeId} was not found on your account.`);
      const left = num(charge.refundableUsd) ?? 0;
      if (left <= 0) return answer(`Charge ${details.chargeId} has already been refunded in full.`);
      return callTool('issue_refund', { chargeId: details.chargeId, amountUsd: left, reason: `Customer asked for a refund of charge ${details.chargeId}` });
    }
    const [dup] = refundableDuplicates(invoices.data);
    if (dup) {
      return callTool('issue_refund', {
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
  },
  capabilities: [{ tool: 'issue_refund', text: '- **Refunds**: I can request one for you; a team member approves it' }],
});

/** Billing questions and "charged twice": both read the invoices. */
const invoicesStep = (kind: 'double_charge' | 'billing') => ({ offered, done }: OfflineContext<object>): Step => {
  const result = done('list_invoices');
  if (!result) return offered.has('list_invoices') ? callTool('list_invoices', {}) : answer(unavailableReply('look at billing', offered));
  if (result.status !== 'ok') return answer(problemReply(result, 'look up your invoices', offered));
  if (result.data.found === false) return answer(str(result.data.message) ?? "I couldn't find your invoices.");
  return answer(kind === 'double_charge' ? duplicateChargeReply(result.data, offered) : billingReply(result.data, offered));
};

const doubleCharge = defineOfflineIntent({
  name: 'double_charge',
  tools: ['list_invoices'],
  match: ({ normalized }) => (DOUBLE.test(normalized) ? {} : undefined),
  plan: invoicesStep('double_charge'),
});

/** Subjects for tickets opened after the assistant offered one, by the earlier message's intent. */
const TOPIC_SUBJECTS: Record<string, string> = {
  crash: 'App keeps crashing',
  account_access: "Can't access my account",
  double_charge: 'Possible double charge',
  billing: 'Billing question',
  service_status: 'Service problem',
  refund: 'Refund request',
  cancel_subscription: 'Cancel my subscription',
  change_email: 'Change the email address on my account',
};

type TicketDetails = { subject: string; description: string } | { needsDetails: true };

function ticketDetails(subject: string, description: string): TicketDetails {
  const oneLine = subject.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > 80 ? `${oneLine.slice(0, 77).trimEnd()}...` : oneLine;
  return { subject: short.length >= 3 ? short : 'Support request', description: description.trim().slice(0, 4000) };
}

/** "Yes, open a ticket" takes its subject from the conversation's last real topic. */
function ticketFromContext(input: OfflineInput): TicketDetails {
  for (const earlier of input.earlierUserTexts) {
    const kind = input.classify(earlier);
    if (kind === 'greeting' || kind === 'thanks' || kind === 'decline' || kind === 'capabilities' || kind === 'ticket') continue;
    const orderId = findOrderId(earlier);
    const subject =
      kind === 'order' && orderId ? `Question about order ${orderId}` : kind === 'cancel_order' && orderId ? `Cancel order ${orderId}` : TOPIC_SUBJECTS[kind] ?? earlier;
    return ticketDetails(subject, earlier);
  }
  return { needsDetails: true };
}

const ticket = defineOfflineIntent<TicketDetails>({
  name: 'ticket',
  offers: [OFFERS.ticket],
  accept: ticketFromContext,
  followUp: ({ offer, normalized, text }) => (offer.includes(OFFERS.ticketDetails) && !TICKET.test(normalized) ? ticketDetails(text, text) : undefined),
  match: (input) => {
    if (!TICKET.test(input.normalized)) return undefined;
    const details = input.text.replace(/^[^:]*\b(ticket|case)\b[^:]*:?/i, '').trim();
    return details.length >= 3 ? ticketDetails(details, details) : ticketFromContext(input);
  },
  plan: ({ details, offered, done }) => {
    if ('needsDetails' in details) return answer(`Sure. ${OFFERS.ticketDetails} Describe the problem in a sentence or two.`);
    const result = done('create_ticket');
    if (result) return answer(result.status === 'ok' ? ticketReply(result.data) : problemReply(result, 'open a ticket', offered));
    if (!offered.has('create_ticket')) return answer(unavailableReply('open tickets', offered));
    return callTool('create_ticket', { subject: details.subject, description: details.description });
  },
  capabilities: [{ tool: 'create_ticket', text: '- **Tickets** for anything that needs investigating' }],
});

const crash = defineOfflineIntent({
  name: 'crash',
  tools: ['check_service_status'],
  match: ({ normalized }) => (CRASH.test(normalized) ? {} : undefined),
  plan: ({ offered, done }) => {
    const wanted = ['check_service_status', 'search_knowledge_base'].filter((n) => offered.has(n) && !done(n));
    if (wanted.length > 0) {
      return { kind: 'call', calls: wanted.map((name) => ({ name, args: name === 'search_knowledge_base' ? { query: 'app crashes or will not open troubleshooting' } : {} })) };
    }
    return answer(crashReply(done('check_service_status'), done('search_knowledge_base'), offered));
  },
});

const accountAccess = defineOfflineIntent({
  name: 'account_access',
  match: ({ normalized }) => (ACCESS.test(normalized) ? {} : undefined),
  plan: accountAccessStep,
});

const order = defineOfflineIntent<{ orderId?: string }>({
  name: 'order',
  tools: ['look_up_order'],
  match: ({ normalized }) => {
    const orderId = findOrderId(normalized);
    return orderId || (ORDER.test(normalized) && !POLICY_QUESTION.test(normalized)) ? (orderId ? { orderId } : {}) : undefined;
  },
  plan: ({ details, offered, done }) => {
    const result = done('look_up_order');
    if (!result) {
      if (!offered.has('look_up_order')) return answer(unavailableReply('look up orders', offered));
      return callTool('look_up_order', details.orderId ? { orderId: details.orderId } : {});
    }
    if (result.status !== 'ok') return answer(problemReply(result, 'look up that order', offered));
    if (result.data.found === false) return answer(orderNotFound(result.data));
    return answer('order' in result.data ? orderReply(result.data) : ordersListReply(result.data));
  },
  capabilities: [{ tool: 'look_up_order', text: '- **Orders**: status, shipping and tracking (e.g. "Where is my order ORD-1001?")' }],
});

const serviceStatus = defineOfflineIntent({
  name: 'service_status',
  tools: ['check_service_status'],
  match: ({ normalized }) => (STATUS.test(normalized) ? {} : undefined),
  plan: ({ offered, done }) => {
    const result = done('check_service_status');
    if (!result) return offered.has('check_service_status') ? callTool('check_service_status', {}) : answer(unavailableReply('check service status', offered));
    return answer(result.status === 'ok' ? statusLines(result.data) : problemReply(result, 'check service status', offered));
  },
  capabilities: [{ tool: 'check_service_status', text: '- **Service status**: outages and known problems' }],
});

const billing = defineOfflineIntent({
  name: 'billing',
  tools: ['list_invoices'],
  match: ({ normalized }) => (BILLING.test(normalized) && !POLICY_QUESTION.test(normalized) ? {} : undefined),
  plan: invoicesStep('billing'),
  capabilities: [{ tool: 'list_invoices', text: '- **Billing**: invoices, charges and double charges' }],
});

/** The demo helpdesk's offline intents, in the order their rules are tried. */
export const helpdeskOfflineIntents: readonly OfflineIntent[] = [
  resetPassword,
  cancelOrder,
  cancelSubscription,
  changeEmail,
  refund,
  doubleCharge,
  ticket,
  crash,
  accountAccess,
  order,
  serviceStatus,
  billing,
];
