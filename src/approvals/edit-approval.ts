import { checkDecider } from '../policy/approval-policy';
import { hasRole } from '../policy/roles';
import type { ApprovalRequirement, Caller, ToolDefinition } from '../ports';
import { canonicalJson, fingerprintOf, type ApprovalRecord } from './approval-record';

export type EditCheck =
  | { ok: true; changed: false }
  | { ok: true; changed: true; apply: (record: ApprovalRecord) => void; changes: string[] }
  | { ok: false; reason: 'invalid_edit' | 'not_allowed'; message: string };

const RANK: Record<Exclude<ApprovalRequirement, 'none'>, number> = { requester: 0, staff: 1, admin: 2 };

/**
 * "Edit and approve": the changed arguments pass the tool's schema again, and
 * the approval policy is evaluated again for them, never below what the
 * original request needed (raising a refund over the admin threshold now
 * needs an admin). Nothing changes unless every check passes.
 */
export function checkEdit(tool: ToolDefinition | undefined, record: ApprovalRecord, decider: Caller, edited: Record<string, unknown>): EditCheck {
  if (!tool) return { ok: false, reason: 'invalid_edit', message: 'This tool is no longer available, so the request cannot be changed.' };
  // Fields the approver did not send keep the requested values (cards hide redacted ones from editing).
  const parsed = tool.input.safeParse({ ...record.args, ...edited });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
    return { ok: false, reason: 'invalid_edit', message: `Those values are not valid: ${issues}. Nothing was changed.` };
  }
  const args = parsed.data as Record<string, unknown>;
  if (canonicalJson(args) === canonicalJson(record.args)) return { ok: true, changed: false };
  let fresh: ApprovalRequirement;
  try {
    fresh = typeof tool.approval === 'function' ? tool.approval(args, { caller: record.requester }) : (tool.approval ?? 'none');
  } catch {
    fresh = 'admin'; // a broken policy never lowers the bar
  }
  const requirement = fresh !== 'none' && RANK[fresh] > RANK[record.requirement] ? fresh : record.requirement;
  const allowed = checkDecider(requirement, record.requester, decider, 'approve');
  if (!allowed.ok) {
    const need = requirement === 'admin' && !hasRole(decider.role, 'admin') ? ' With these values it needs an admin.' : '';
    return { ok: false, reason: 'not_allowed', message: `${allowed.message}${need} Nothing was changed.` };
  }
  const changes = Object.keys({ ...record.args, ...args })
    .filter((key) => canonicalJson(record.args[key]) !== canonicalJson(args[key]))
    .map((key) => `${key}: ${canonicalJson(record.args[key])} → ${canonicalJson(args[key])}`);
  const action = tool.describe ? tool.describe(args) : record.action;
  return {
    ok: true,
    changed: true,
    changes,
    apply: (target) => {
      target.editedFrom = { args: target.args, fingerprint: target.fingerprint, action: target.action, requirement: target.requirement };
      target.args = args;
      target.fingerprint = fingerprintOf(target.toolName, target.toolCallId, args);
      target.action = action;
      target.requirement = requirement;
    },
  };
}

/** The tool result the model sees, with what the approver changed, so it can tell the user accurately. */
export function withApproverChanges(content: string, record: ApprovalRecord, decider: string): string {
  if (!record.editedFrom) return content;
  const note = `${decider} changed the request before approving it (${changesOf(record).join('; ')}); tell the user what was actually done.`;
  try {
    const parsed: unknown = JSON.parse(content);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return JSON.stringify({ ...parsed, approver_changes: note });
  } catch {
    // not JSON: wrap below
  }
  return JSON.stringify({ result: content, approver_changes: note });
}

function changesOf(record: ApprovalRecord): string[] {
  const before = record.editedFrom?.args ?? {};
  return Object.keys({ ...before, ...record.args })
    .filter((key) => canonicalJson(before[key]) !== canonicalJson(record.args[key]))
    .map((key) => `${key} ${canonicalJson(before[key])} → ${canonicalJson(record.args[key])}`);
}
