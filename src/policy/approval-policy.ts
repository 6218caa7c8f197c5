import type { ApprovalRequirement, Caller, Decision } from '../ports';
import { hasRole } from './roles';

export type DecisionCheck = { ok: true } | { ok: false; message: string };

/** Who may decide, in plain words, for approval cards. */
export function decidersText(requirement: Exclude<ApprovalRequirement, 'none'>, requester: Pick<Caller, 'displayName'>): string {
  switch (requirement) {
    case 'requester':
      return `${requester.displayName} (the requester) confirms`;
    case 'staff':
      return 'a staff member or admin, not the requester';
    case 'admin':
      return 'an admin, not the requester';
  }
}

/**
 * Whether `decider` may take `decision` on a request made by `requester`.
 * Roles come from the platform at click time; nothing in the conversation counts.
 * Requesters may cancel (deny) their own staff/admin requests but never approve them.
 */
export function checkDecider(
  requirement: Exclude<ApprovalRequirement, 'none'>,
  requester: Caller,
  decider: Caller,
  decision: Decision,
): DecisionCheck {
  if (decider.platform !== requester.platform) {
    return { ok: false, message: 'This request belongs to another platform.' };
  }
  const isRequester = decider.userId === requester.userId;
  if (requirement === 'requester') {
    return isRequester ? { ok: true } : { ok: false, message: `Only ${requester.displayName}, who asked, can confirm or cancel this.` };
  }
  if (isRequester) {
    return decision === 'deny'
      ? { ok: true }
      : { ok: false, message: `You can't approve your own request: it needs ${requirement === 'admin' ? 'an admin' : 'a staff member or admin'} other than you.` };
  }
  if (!hasRole(decider.role, requirement)) {
    return { ok: false, message: `Only ${requirement === 'admin' ? 'an admin' : 'a staff member or admin'} can decide this; your role here is ${decider.role}.` };
  }
  return { ok: true };
}
