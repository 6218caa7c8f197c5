import type { ToolDefinition, ToolSpec } from '../ports';
import { toolSpec } from './define-tool';

/** The tools the engine may run, with their model-facing specs computed once. */
export class ToolRegistry {
  private readonly tools = new Map<string, ToolDefinition>();
  private readonly specs = new Map<string, ToolSpec>();
  /** The same array until the registry changes, so per-array caches (token estimates) hit. */
  private specList: ToolSpec[] | undefined;
  private readonly groups = new Map<string, string[]>();
  private readonly notices = new Map<string, string>();
  private noticeLines = '';

  constructor(tools: Iterable<ToolDefinition> = []) {
    for (const tool of tools) this.add(tool);
  }

  /** Add a tool; a later tool with the same name replaces the earlier one (teams override built-ins). */
  add(tool: ToolDefinition): void {
    this.tools.set(tool.name, tool);
    this.specs.set(tool.name, toolSpec(tool));
    this.specList = undefined;
  }

  /**
   * Replace a group's tools (an MCP server's, after a change or an outage).
   * `notice` tells the model why tools are missing, e.g. a server is down.
   */
  setGroup(group: string, tools: readonly ToolDefinition[], notice?: string): void {
    for (const name of this.groups.get(group) ?? []) {
      this.tools.delete(name);
      this.specs.delete(name);
    }
    for (const tool of tools) this.add(tool);
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

  /** Specs for every tool, in registration order (one shared, frozen array). */
  allSpecs(): readonly ToolSpec[] {
    this.specList ??= Object.freeze([...this.specs.values()]) as ToolSpec[];
    return this.specList;
  }
}
