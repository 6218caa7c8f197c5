import type { AuditSink, Caller, ModelClient, ToolSpec } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { ToolRegistry } from '../tools/registry';
import { ESCALATE_TOOL_NAME } from '../escalation/escalate-tool';
import { OfflineRouter } from './offline-router';
import { RuleRouter } from './rule-router';
import type { Specialist } from './specialist';
import { TRANSFER_TOOL_NAME } from './transfer-tool';

/** What one model call of a routed conversation gets: the specialists' tools only, and their instructions. */
export interface SpecialistView {
  registry: ToolRegistry;
  instructions: string;
  /** The specialist's own model, when it declares one and a client for it exists. */
  model?: ModelClient;
}

/** Tools every specialist keeps: a way to a human and a way to a colleague. */
const ALWAYS = [ESCALATE_TOOL_NAME, TRANSFER_TOOL_NAME];

const globToRegExp = (glob: string) => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/**
 * The declared specialists and how a routed conversation sees the engine:
 * a subset registry per route (rebuilt when the full registry changes, e.g.
 * an MCP server came back) and the specialists' instructions.
 */
/** What a SpecialistDirectory is built from. */
export interface SpecialistDirectoryOptions {
  specialists: readonly Specialist[];
  /** The full registry; each route sees a subset of it. */
  registry: ToolRegistry;
  audit: AuditSink;
  now: () => number;
  /** A client for a specialist's `model`; undefined (or no factory) = the main model. */
  modelFor?: (name: string) => ModelClient | undefined;
  /** Views for parallel consultations: one specialist answers only its part, and cannot transfer. */
  consultation?: boolean;
  /** False: separate requests for several specialists run in one loop with the union of their tools (for comparison). Default true. */
  consultInParallel?: boolean;
}

export class SpecialistDirectory {
  readonly specialists: readonly Specialist[];
  readonly rules: RuleRouter;
  readonly offline: OfflineRouter;
  private readonly byName: Map<string, Specialist>;
  private readonly views = new Map<string, { from: readonly ToolSpec[]; view: SpecialistView }>();
  private readonly models = new Map<string, ModelClient | undefined>();
  private consultations_: SpecialistDirectory | undefined;

  constructor(private readonly options: SpecialistDirectoryOptions) {
    this.specialists = options.specialists;
    this.byName = new Map(options.specialists.map((s) => [s.name, s]));
    this.rules = new RuleRouter(options.specialists);
    this.offline = new OfflineRouter(options.specialists);
  }

  /** Declared names, `general` included. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): Specialist | undefined {
    return this.byName.get(name);
  }

  /** Whether separate requests for several specialists are consulted in parallel. */
  get consultsInParallel(): boolean {
    return this.options.consultInParallel ?? true;
  }

  /** The same specialists as parallel consultations see them (built once). */
  get consultations(): SpecialistDirectory {
    if (this.options.consultation) return this;
    this.consultations_ ??= new SpecialistDirectory({ ...this.options, consultation: true });
    return this.consultations_;
  }

  /** The view for a session's route; undefined before routing (every tool, generic prompt). */
  view(session: SessionState): SpecialistView | undefined {
    const names = session.route?.specialists.filter((n) => this.byName.has(n));
    if (!names || names.length === 0) return undefined;
    const key = names.join('+');
    const all = this.options.registry.allSpecs();
    const cached = this.views.get(key);
    if (cached && cached.from === all) return cached.view;
    const chosen = names.map((n) => this.byName.get(n)!);
    const always = this.options.consultation ? [ESCALATE_TOOL_NAME] : ALWAYS;
    const patterns = [...chosen.flatMap((s) => s.tools), ...always].map(globToRegExp);
    const tools = this.options.registry
      .names()
      .filter((name) => patterns.some((re) => re.test(name)))
      .map((name) => this.options.registry.get(name)!);
    // Cross-domain routes use the first specialist's model.
    const modelName = chosen[0]?.model;
    if (modelName && !this.models.has(modelName)) this.models.set(modelName, this.options.modelFor?.(modelName));
    const model = modelName ? this.models.get(modelName) : undefined;
    const view: SpecialistView = { registry: new ToolRegistry(tools), instructions: this.instructions(chosen), ...(model ? { model } : {}) };
    this.views.set(key, { from: all, view });
    return view;
  }

  /** Move a session to another specialist (a transfer), audited as a `route` event. */
  transfer(session: SessionState, caller: Caller, to: string, reason: string): void {
    if (!this.byName.has(to)) return;
    const from = session.route?.specialists ?? [];
    session.route = { specialists: [to], by: 'transfer', at: this.options.now(), transfers: (session.route?.transfers ?? 0) + 1 };
    this.options.audit.write({ event: 'route', user_id: caller.userId, session_id: session.id, specialists: [to], from, by: 'transfer', reason, success: true });
  }

  private instructions(chosen: readonly Specialist[]): string {
    const others = this.specialists.filter((s) => !chosen.includes(s)).map((s) => `${s.name} (${s.description})`);
    const lines = chosen.map((s) => `\n\nAs the ${s.name} specialist (${s.description}): ${s.instructions}`);
    if (this.options.consultation) {
      // One of several parallel consultations: its reply is shown next to the other specialists' replies.
      lines.push(
        `\n\nThis message spans several specialists' domains and you are consulted for the ${chosen.map((s) => s.name).join(' and ')} part only. The other specialists answer the other parts at the same time, and your reply is shown together with theirs as one message: answer only your part, without a greeting or sign-off, and do not ask about the other parts.`,
      );
      return lines.join('');
    }
    if (chosen.length > 1) {
      // Cross-domain: one loop with the union of tools; calls of one step run in parallel, then one answer.
      lines.push(`\n\nThis message spans ${chosen.map((s) => s.name).join(' and ')}. Look up what each part needs in the same step (the calls run in parallel), then answer every part in one reply.`);
    }
    if (others.length > 0) {
      lines.push(`\n\nIf the problem belongs elsewhere, call ${TRANSFER_TOOL_NAME} with one of: ${others.join('; ')}.`);
    }
    return lines.join('');
  }
}
