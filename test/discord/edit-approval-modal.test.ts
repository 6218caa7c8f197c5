import { ComponentType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { approvalMessage } from '../../adapters/discord/components';
import { argsFromCard, coerceEdited, editApprovalModal, editableFields, hasRedacted } from '../../adapters/discord/edit-approval-modal';
import type { ApprovalView } from '../../src/ports';

const view = (args: Record<string, unknown>): ApprovalView => ({
  id: 'apr_1',
  conversation: { platform: 'discord', workspaceId: '1', channelId: '2', threadId: '3' },
  toolName: 'refund_order',
  action: 'Refund',
  args,
  requester: { userId: '9', displayName: 'Max' },
  requirement: 'staff',
  decidersText: 'staff',
  expiresAt: 0,
  status: 'pending',
});

describe('Edit and approve modal', () => {
  it('reads the arguments back from the card with their types, and not when the JSON was cut to fit', () => {
    const args = { orderId: '1042', amountUsd: 29.5, notify: true, items: ['a', 'b'], note: 'has ``` fences' };
    expect(argsFromCard(approvalMessage(view(args)).embeds!)).toEqual(args);
    expect(argsFromCard(approvalMessage(view({ note: 'x'.repeat(2_000) })).embeds!)).toBeUndefined();
  });

  it('offers at most five fields, none too long for a text input, and marks requests with hidden values', () => {
    const many = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}`, i]));
    expect(editableFields(many).map((f) => f.key)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    expect(editableFields({ long: 'x'.repeat(4_001), short: 'ok' }).map((f) => f.key)).toEqual(['short']);
    expect(editableFields({ email: '[REDACTED_EMAIL]', amountUsd: 5 }).map((f) => f.key)).toEqual(['amountUsd']);
    expect(hasRedacted({ email: '[REDACTED_EMAIL]' })).toBe(true);
    expect(hasRedacted({ email: 'a' })).toBe(false);
  });

  it('builds labelled, pre-filled text inputs and turns typed text back into the original types', () => {
    const original = { orderId: '1042', amountUsd: 120, notify: false, tags: ['x'] };
    const fields = editableFields(original);
    const modal = editApprovalModal('apr_1', fields);
    expect(modal.custom_id).toBe('approval:edit:apr_1');
    expect(modal.components.map((c) => c.type)).toEqual([ComponentType.Label, ComponentType.Label, ComponentType.Label, ComponentType.Label]);
    expect(modal.components.map((c) => (c as { component: { value?: string } }).component.value)).toEqual(['1042', '120', 'false', '["x"]']);
    const typed: Record<string, string> = { orderId: '1043', amountUsd: ' 25 ', notify: 'true', tags: '["x","y"]' };
    expect(coerceEdited(fields, (k) => typed[k], original)).toEqual({ orderId: '1043', amountUsd: 25, notify: true, tags: ['x', 'y'] });
    // Text that is not a number stays text, so the tool's schema refuses it with its own message.
    expect(coerceEdited(fields, (k) => (k === 'amountUsd' ? 'lots' : undefined), original)).toEqual({ ...original, amountUsd: 'lots' });
  });
  it('sends only the fields the form showed, so redacted values are never written back', () => {
    const original = { email: '[REDACTED_EMAIL]', amountUsd: 5 };
    const fields = editableFields(original);
    expect(coerceEdited(fields, () => '7', original)).toEqual({ amountUsd: 7 });
  });
});
