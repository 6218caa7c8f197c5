import { articleLines, clock, day, humanOffer, list, money, num, rec, str, type Offered, type ToolOutcome } from '../../../src/index';
import { OFFERS } from './rules';

/** The demo helpdesk's answers, composed only from its tools' results. */

/** One order in detail. */
export function orderReply(data: Record<string, unknown>): string {
  const order = rec(data.order);
  const ship = rec(order.shipping);
  const items = list(order.items).map((i) => `${num(i.quantity) ?? 1} × ${str(i.name) ?? 'item'}`).join(', ');
  const id = str(order.id) ?? 'Your order';
  const lines = [`**${id}** is **${str(order.status) ?? 'unknown'}** (placed ${day(order.placedAt)}, ${money(order.totalUsd)}).`];
  if (items) lines.push(`- Items: ${items}`);
  if (str(ship.deliveredAt)) lines.push(`- Delivered on ${day(ship.deliveredAt)}${str(ship.carrier) ? ` by ${str(ship.carrier)}` : ''}`);
  else if (str(ship.trackingNumber)) {
    lines.push(`- Shipped ${day(ship.shippedAt)} with ${str(ship.carrier) ?? 'the carrier'}, tracking number \`${str(ship.trackingNumber)}\``);
    if (str(ship.estimatedDelivery)) lines.push(`- Estimated delivery: **${day(ship.estimatedDelivery)}**`);
  } else if (str(order.status) === 'processing') {
    lines.push(`- We're packing it now${str(ship.estimatedDelivery) ? `; estimated delivery **${day(ship.estimatedDelivery)}**` : ''}.`);
  }
  const payment = rec(order.payment);
  if ((num(payment.refundedUsd) ?? 0) > 0) lines.push(`- Refunded: ${money(payment.refundedUsd)}`);
  return lines.join('\n');
}

/** The caller's recent orders, one line each. */
export function ordersListReply(data: Record<string, unknown>): string {
  const orders = list(data.orders);
  if (orders.length === 0) return "I don't see any orders on your account. If you ordered with a different account, a person from our team can help.";
  const lines = orders
    .slice(0, 5)
    .map((o) => `- **${str(o.id)}**: ${str(o.status)}, ${money(o.totalUsd)}, placed ${day(o.placedAt)}${str(o.estimatedDelivery) ? `, arriving around ${day(o.estimatedDelivery)}` : ''}`);
  return `Here are your recent orders:\n${lines.join('\n')}\n\nTell me an order id for tracking details.`;
}

/** Charges flagged as duplicates that still have money to refund. */
export function refundableDuplicates(data: Record<string, unknown>): Record<string, unknown>[] {
  return list(data.possibleDuplicates).filter((c) => (num(c.refundableUsd) ?? 0) > 0);
}

/** "Why was I charged twice?" answered from list_invoices. */
export function duplicateChargeReply(data: Record<string, unknown>, offered: Offered): string {
  const open = refundableDuplicates(data);
  const flagged = list(data.possibleDuplicates);
  if (open.length > 0) {
    const dup = open[0] ?? {};
    const first = str(dup.duplicateOf);
    const text =
      `You're right: you were charged **${money(dup.amountUsd)}** twice on **${day(dup.createdAt)}** for *${str(dup.description) ?? 'the same item'}*` +
      ` (\`${first ?? 'the first charge'}\` and \`${str(dup.id)}\` at ${clock(dup.createdAt)}). The second charge is a duplicate.` +
      (open.length > 1 ? ` I found ${open.length - 1} more possible duplicate(s) too.` : '');
    return offered.has('issue_refund')
      ? `${text}\n\nWould you like me to ${OFFERS.refund} of ${money(dup.refundableUsd)} for the duplicate charge? A team member approves refunds.`
      : `${text}${humanOffer(offered)}`;
  }
  if (flagged.length > 0) {
    const dup = flagged[0] ?? {};
    return `The duplicate charge of ${money(dup.amountUsd)} on ${day(dup.createdAt)} (\`${str(dup.id)}\`) has already been refunded. Refunds usually take 5 to 10 business days to show up.`;
  }
  return `I don't see any duplicate charges on your account.\n${recentCharges(data)}\n\nIf your bank shows two charges, one may be a temporary hold that disappears within a few days.`;
}

/** A short billing overview from list_invoices. */
export function billingReply(data: Record<string, unknown>, offered: Offered): string {
  if (refundableDuplicates(data).length > 0) return duplicateChargeReply(data, offered);
  const subs = list(data.subscriptions).map((s) => `- **${str(s.plan)}** plan (${str(s.status)}): ${money(s.priceUsd)} per ${str(s.interval) ?? 'period'}, renews ${day(s.renewsOn)}`);
  return [recentCharges(data), subs.length > 0 ? `Subscriptions:\n${subs.join('\n')}` : ''].filter(Boolean).join('\n\n');
}

function recentCharges(data: Record<string, unknown>): string {
  const invoices = list(data.invoices).slice(0, 4);
  if (invoices.length === 0) return "There are no invoices on your account.";
  const lines = invoices.map((i) => `- **${str(i.id)}** (${day(i.issuedAt)}): ${str(i.description)}, ${money(i.amountUsd)}, ${str(i.status)}`);
  return `Your recent invoices:\n${lines.join('\n')}`;
}

/** Outcome of issue_refund. */
export function refundReply(data: Record<string, unknown>): string {
  const target = str(data.orderId) ? `order ${str(data.orderId)} (charge \`${str(data.chargeId)}\`)` : `charge \`${str(data.chargeId)}\``;
  return (
    `Done: refund **${str(data.refundId)}** of **${money(data.amountUsd)}** for ${target} has been issued. ` +
    `It goes back to your original payment method and usually arrives within ${str(data.expectedArrival) ?? '5 to 10 business days'}.`
  );
}

/** Outcome of reset_password. */
export function resetReply(data: Record<string, unknown>): string {
  const minutes = num(data.expiresInMinutes);
  return (
    `I've sent a password reset link to **${str(data.sentTo) ?? 'the email address on your account'}**` +
    `${minutes ? `. It works for ${minutes} minutes` : ''}. Check your spam folder if it hasn't arrived in a few minutes.`
  );
}

/** Outcome of create_ticket. */
export function ticketReply(data: Record<string, unknown>): string {
  return `I've opened ticket **${str(data.ticketId)}** ("${str(data.subject)}", ${str(data.priority) ?? 'normal'} priority). Our team will follow up by email; mention the ticket number if you contact us again.`;
}

/** Active incidents (and the overall state) from check_service_status. */
export function statusLines(data: Record<string, unknown>): string {
  const incidents = list(data.activeIncidents);
  if (incidents.length === 0) return 'All our services are running normally right now.';
  return incidents
    .map((i) => `**Known issue: ${str(i.title)}** (${str(i.component)}, since ${day(i.startedAt)}, status: ${str(i.status)}). ${str(i.details) ?? ''}${str(i.workaround) ? `\n*Workaround:* ${str(i.workaround)}` : ''}`)
    .join('\n\n');
}

/** Crash help: status page plus the troubleshooting article. */
export function crashReply(status: ToolOutcome | undefined, kb: ToolOutcome | undefined, offered: Offered): string {
  const parts = ["Sorry the app keeps crashing, that's frustrating."];
  if (status?.status === 'ok') parts.push(statusLines(status.data));
  const article = kb?.status === 'ok' ? articleLines(kb.data) : undefined;
  if (article) parts.push(article);
  if (offered.has('create_ticket')) parts.push(`If it still crashes, would you like me to ${OFFERS.ticket} so an engineer can look into it?`);
  else parts.push(humanOffer(offered).trim());
  return parts.filter(Boolean).join('\n\n');
}

/** "Cancel my order": what can happen given where the order is. The assistant has no cancel tool, so it offers a ticket. */
export function cancelOrderReply(order: Record<string, unknown>, offered: Offered): string {
  const id = str(order.id) ?? 'That order';
  const status = str(order.status);
  const ship = rec(order.shipping);
  if (status === 'cancelled') return `**${id}** is already cancelled${(num(rec(order.payment).refundedUsd) ?? 0) > 0 ? ` and ${money(rec(order.payment).refundedUsd)} was refunded` : ''}.`;
  if (status === 'shipped' || status === 'delivered') {
    const when = status === 'shipped' ? `shipped on ${day(ship.shippedAt)}` : `was delivered on ${day(ship.deliveredAt)}`;
    return `**${id}** ${when}, so it can no longer be cancelled. You can return most items within 30 days of delivery for a full refund.${humanOffer(offered)}`;
  }
  const next = offered.has('create_ticket')
    ? `I can't cancel orders myself. Would you like me to ${OFFERS.ticket} so our team cancels it?`
    : humanOffer(offered).trim();
  return `**${id}** (${money(order.totalUsd)}) hasn't shipped yet, so it can still be cancelled; orders cancelled before they ship are refunded automatically.\n\n${next}`;
}

/** Changing the account email is done by a person after checking identity, never by a password reset. */
export function changeEmailReply(offered: Offered): string {
  const next = offered.has('create_ticket')
    ? `Would you like me to ${OFFERS.ticket} to change it?`
    : humanOffer(offered).trim();
  return `I can't change the email address on your account from chat: for your security, a person from our team makes that change after confirming it's you.\n\n${next}`;
}
