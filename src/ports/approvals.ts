/** Approvals as channels render them and as deciders answer them. */
import type { ConversationRef } from './conversations';
import type { Caller } from './identity';
import type { TurnResult } from './turns';

/** Who may decide an approval. `requester` means the requester confirms it themselves. */
export type ApprovalRequirement = 'none' | 'requester' | 'staff' | 'admin';

/** Where an approval stands; only `pending` may still be decided. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** An approval request as a channel renders it (buttons, embed, prompt). */
export interface ApprovalView {
  /** Opaque id; buttons carry only this. */
  id: string;
  /** The conversation whose run waits for it. */
  conversation: ConversationRef;
  /** The tool that will run once approved. */
  toolName: string;
  /** What will happen, in plain words. */
  action: string;
  /** Validated arguments, redacted for display. */
  args: Record<string, unknown>;
  /** Who asked for the action. */
  requester: { userId: string; displayName: string };
  /** Who may decide it. */
  requirement: Exclude<ApprovalRequirement, 'none'>;
  /** Who may decide, in plain words (e.g. "staff, not the requester"). */
  decidersText: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Where it stands now. */
  status: ApprovalStatus;
  /** Who approved or denied it, once decided. */
  decidedBy?: { userId: string; displayName: string };
  /** When it was decided (epoch ms). */
  decidedAt?: number;
}

/** A decider's answer to an approval. */
export type Decision = 'approve' | 'deny';

/** A decision as an adapter passes it from a button or command. */
export interface DecisionInput {
  /** The approval's opaque id (from the button). */
  approvalId: string;
  /** Approve or deny. */
  decision: Decision;
  /** Who clicked, with the role the platform grants now. */
  decider: Caller;
  /**
   * Approve with changed arguments ("Edit and approve"). Fields left out keep
   * the requested values. The result is validated by the tool's schema and
   * the approval policy is checked again for it.
   */
  args?: Record<string, unknown>;
}

/** What a decision did: the updated view (and the resumed run's result), or why it was refused. */
export type DecisionOutcome =
  | { ok: true; view: ApprovalView; result?: TurnResult }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already_decided' | 'expired' | 'invalid_edit'; message: string; view?: ApprovalView };
