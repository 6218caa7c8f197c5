import type { ApprovalRequirement, Role } from '../ports';
import type { McpToolRule } from './mcp-config';

/** What the MCP server says about a tool (hints, untrusted but a sensible default). */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

/** The policy one MCP tool runs under. */
export interface McpToolPolicy {
  include: boolean;
  role: Role;
  approval: Exclude<ApprovalRequirement, never>;
  readOnly: boolean;
  idempotent: boolean;
  timeoutMs?: number;
}

/** `billing__*` style globs: `*` any run of characters, `?` one. */
export function globMatches(glob: string, name: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * Defaults from the tool's annotations, then the operator's rules in order.
 * A read-only tool is for members without approval; anything else (or a
 * destructive one) needs a staff member's approval. A rule can only be more
 * trusting than that when an operator writes it.
 */
export function policyFor(name: string, annotations: ToolAnnotations | undefined, rules: readonly McpToolRule[]): McpToolPolicy {
  const readOnly = annotations?.readOnlyHint === true && annotations.destructiveHint !== true;
  const policy: McpToolPolicy = {
    include: true,
    role: 'member',
    approval: readOnly ? 'none' : 'staff',
    readOnly,
    idempotent: readOnly || annotations?.idempotentHint === true,
  };
  for (const rule of rules) {
    if (!globMatches(rule.match, name)) continue;
    if (rule.include !== undefined) policy.include = rule.include;
    if (rule.role !== undefined) policy.role = rule.role;
    if (rule.approval !== undefined) policy.approval = rule.approval;
    if (rule.idempotent !== undefined) policy.idempotent = rule.idempotent;
    if (rule.timeoutMs !== undefined) policy.timeoutMs = rule.timeoutMs;
  }
  return policy;
}
