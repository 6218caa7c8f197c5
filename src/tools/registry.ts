import type { ToolDefinition, ToolSpec } from '../ports';
import { toolSpec } from './define-tool';

/** The tools the engine may run, with their model-facing specs computed once. */
export class ToolRegistry {
  private readonly tools = new Map<string, ToolDefinition>();
  private readonly specs = new Map<string, ToolSpec>();
  /** The same array until the registry changes, so per-array caches (token estimates) hit. */
  private specList: ToolSpec[] | undefined;

  constructor(tools: Iterable<ToolDefinition> = []) {
    for (const tool of tools) this.add(tool);
  }

  /** Add a tool; a later tool with the same name replaces the earlier one (teams override built-ins). */
  add(tool: ToolDefinition): void {
    this.tools.set(tool.name, tool);
    this.specs.set(tool.name, toolSpec(tool));
    this.specList = undefined;
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
