import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';
import type { ToolDefinition } from '../ports';
import { isToolDefinition } from './define-tool';

const MODULE_FILE = /\.(?:ts|mts|js|mjs)$/;

/**
 * The extension point for teams: every module in `dir` (TOOLS_DIR) is
 * imported and each exported `defineTool` value (named exports, a default
 * export, or arrays of them) becomes a tool. Later files win on name clashes,
 * so a team can replace a built-in tool by exporting one with the same name.
 */
export async function loadToolsFromDir(dir: string): Promise<ToolDefinition[]> {
  const absolute = path.resolve(dir);
  let files: string[];
  try {
    files = (await readdir(absolute)).filter((f) => MODULE_FILE.test(f) && !f.endsWith('.d.ts') && !/\.test\./.test(f)).sort();
  } catch (cause) {
    throw new ConfigError(`TOOLS_DIR ${absolute} cannot be read`, ['TOOLS_DIR'], { cause });
  }
  const tools: ToolDefinition[] = [];
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path.join(absolute, file)).href)) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError(`TOOLS_DIR module ${file} failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, ['TOOLS_DIR'], { cause });
    }
    for (const value of Object.values(mod)) {
      for (const candidate of Array.isArray(value) ? value : [value]) {
        if (isToolDefinition(candidate)) tools.push(candidate);
      }
    }
  }
  return tools;
}
