import type { ToolDefinition, ToolSpec } from '../ports';
import { toolSpec } from './define-tool';

/** Group of tools added without one (`createEngine({ tools })`, `bootstrap({ tools })`). */
export const CODE_TOOL_GROUP = 'code';

/** The tools the engine may run, with their model-facing specs computed once. */
export class ToolRegistry {
  private readonly tools = new Map<string, ToolDefinition>();
  private readonly specs = new Map<string, ToolSpec>();
  /** The same array until the registry changes, so per-array caches (token estimates) hit. */
  private specList: ToolSpec[] | undefined;
  private readonly groups = new Map<string, string[]>();
  /** Which group each tool came from (the latest one, when a later group replaced a tool). */
  private readonly groupOfTool = new Map<string, string>();
  private readonly notices = new Map<string, string>();
  private noticeLines = '';

  constructor(tools: Iterable<ToolDefinition> = []) {
    for (const tool of tools) this.add(tool);
  }

  /** Add a tool; a later tool with the same name replaces the earlier one (teams override built-ins). */
  add(tool: ToolDefinition, group = CODE_TOOL_GROUP): void {
    this.tools.set(tool.name, tool);
    this.specs.set(tool.name, toolSpec(tool));
    this.groupOfTool.set(tool.name, group);
    if (!this.groups.has(group)) this.groups.set(group, []);
    this.specList = undefined;
  }

  /**
   * Replace a group's tools (a plugin's, or an MCP server's after a change or an outage).
   * `notice` tells the model why tools are missing, e.g. a server is down.
   */
  setGroup(group: string, tools: readonly ToolDefinition[], notice?: string): void {
    for (const name of this.groups.get(group) ?? []) {
      // A tool a later group replaced is that group's now.
      if (this.groupOfTool.get(name) !== group) continue;
      this.tools.delete(name);
      this.specs.delete(name);
      this.groupOfTool.delete(name);
    }
    for (const tool of tools) this.add(tool, group);
    this.groups.set(group, tools.map((t) => t.name));
    if (notice) this.notices.set(group, notice);
    else this.notices.delete(group);
    this.noticeLines = [...this.notices.values()].map((n) => `\n- ${n}`).join('');
    this.specList = undefined;
  }

  /** What the system prompt says about tools that are missing right now ('' when none). */
  noticeText(): string {
    return this.noticeLines === '' ? '' : `\n\nTool availability:${this.noticeLines}`;
  }

  get(name: string): ToolDefinition | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** The group a tool came from (`code` for tools added without one). */
  groupOf(name: string): string | undefined {
    return this.groupOfTool.get(name);
  }

  /** Every group known so far, including groups that have no tools right now (an MCP server that is down). */
  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Specs for every tool, in registration order (one shared, frozen array). */
  allSpecs(): readonly ToolSpec[] {
    this.specList ??= Object.freeze([...this.specs.values()]) as ToolSpec[];
    return this.specList;
  }
}
