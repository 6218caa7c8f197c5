import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';
import type { OfflineIntent } from '../agent/offline-intent';
import type { ToolDefinition } from '../ports';
import type { Specialist } from '../specialists/specialist';
import { firstIssue, pluginPartsSchema, pluginSchema, type Plugin, type PluginContext } from './plugin';

/**
 * Plugins shipped with the engine, by the name PLUGINS may use. Looked up
 * next to the sources (`npm start`) and next to the bundle (`npm run build`).
 */
const BUILTIN_PLUGINS: Record<string, readonly string[]> = {
  helpdesk: ['../../plugins/helpdesk/index.ts', './plugins/helpdesk/index.js'],
};

const INDEX_FILES = ['index.ts', 'index.mts', 'index.js', 'index.mjs'];

/** Everything the loaded plugins add, merged in PLUGINS order. */
export interface LoadedPlugins {
  names: string[];
  tools: ToolDefinition[];
  /** Each plugin's tools as one group named after it (channels enable groups by name). */
  toolGroups: Array<{ group: string; tools: ToolDefinition[] }>;
  specialists: Specialist[];
  offlineIntents: OfflineIntent[];
  /** Help-center folders the plugins declared, in order. */
  knowledgeDirs: string[];
  /** Each plugin's system-prompt text, joined. */
  instructions: string;
  /** The last plugin's `welcome` and `help` texts, if any gave them. */
  texts: { welcome?: string; help?: string };
  /** Stop every started plugin, last first. */
  stop(): Promise<void>;
}

/** Where a PLUGINS entry points: a built-in name, a path (relative to `cwd`), or a package name. */
export function resolvePluginSpecifier(spec: string, cwd: string): string {
  const builtin = BUILTIN_PLUGINS[spec];
  if (builtin) {
    const found = builtin.map((rel) => new URL(rel, import.meta.url)).find((url) => existsSync(fileURLToPath(url)));
    if (!found) throw new ConfigError(`Plugin ${spec}: the built-in plugin's files are missing`, ['PLUGINS']);
    return found.href;
  }
  if (!spec.startsWith('.') && !path.isAbsolute(spec)) return spec;
  let file = path.resolve(cwd, spec);
  if (existsSync(file) && statSync(file).isDirectory()) {
    const index = INDEX_FILES.map((f) => path.join(file, f)).find((f) => existsSync(f));
    if (!index) throw new ConfigError(`Plugin ${spec}: folder ${file} has no ${INDEX_FILES.join(', ')}`, ['PLUGINS']);
    file = index;
  }
  if (!existsSync(file)) throw new ConfigError(`Plugin ${spec}: ${file} does not exist`, ['PLUGINS']);
  return pathToFileURL(file).href;
}

/** Import one plugin module and check its export (the default export, or one named `plugin`). */
export async function importPlugin(spec: string, cwd: string): Promise<Plugin> {
  const specifier = resolvePluginSpecifier(spec, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`Plugin ${spec} failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, ['PLUGINS'], { cause });
  }
  const exported = mod.default ?? mod.plugin;
  if (exported === undefined) throw new ConfigError(`Plugin ${spec} exports no plugin: export default definePlugin({ name, … })`, ['PLUGINS']);
  const parsed = pluginSchema.safeParse(exported);
  if (!parsed.success) throw new ConfigError(`Plugin ${spec} is invalid: ${firstIssue(parsed.error)}`, ['PLUGINS']);
  return exported as Plugin;
}

/**
 * Start the plugins in order and merge what they add. A plugin whose `start`
 * throws or returns an invalid part stops the start-up with an error naming
 * it; the plugins already started are stopped first.
 */
export async function startPlugins(plugins: readonly Plugin[], context: PluginContext): Promise<LoadedPlugins> {
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const loaded: LoadedPlugins = {
    names: [],
    tools: [],
    toolGroups: [],
    specialists: [],
    offlineIntents: [],
    knowledgeDirs: [],
    instructions: '',
    texts: {},
    async stop() {
      for (const { name, stop } of stops.splice(0).reverse()) {
        await stop().catch((error: unknown) => context.logger.error({ plugin: name, err: String(error) }, 'plugin stop failed'));
      }
    },
  };
  const prompts: string[] = [];
  try {
    for (const plugin of plugins) {
      if (loaded.names.includes(plugin.name)) throw new ConfigError(`Plugin ${plugin.name} is listed twice`, ['PLUGINS']);
      let started: unknown;
      try {
        started = (await plugin.start?.(context)) ?? {};
      } catch (cause) {
        if (cause instanceof ConfigError) throw new ConfigError(`Plugin ${plugin.name} failed to start: ${cause.message}`, cause.variables, { cause });
        throw new ConfigError(`Plugin ${plugin.name} failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, ['PLUGINS'], { cause });
      }
      const parsed = pluginPartsSchema.safeParse(started);
      if (!parsed.success) {
        await (started as { stop?: () => Promise<void> }).stop?.().catch(() => undefined);
        throw new ConfigError(`Plugin ${plugin.name} is invalid: start() returned ${firstIssue(parsed.error)}`, ['PLUGINS']);
      }
      const parts = [plugin, started as Plugin];
      const group = { group: plugin.name, tools: [] as ToolDefinition[] };
      for (const part of parts) {
        if (part.stop) stops.push({ name: plugin.name, stop: part.stop });
        loaded.tools.push(...(part.tools ?? []));
        group.tools.push(...(part.tools ?? []));
        loaded.specialists.push(...(part.specialists ?? []));
        loaded.offlineIntents.push(...(part.offlineIntents ?? []));
        if (part.knowledge) loaded.knowledgeDirs.push(path.resolve(part.knowledge.dir));
        if (part.prompts?.system) prompts.push(part.prompts.system.trim());
        if (part.prompts?.welcome) loaded.texts.welcome = part.prompts.welcome;
        if (part.prompts?.help) loaded.texts.help = part.prompts.help;
      }
      loaded.names.push(plugin.name);
      if (group.tools.length > 0) loaded.toolGroups.push(group);
    }
  } catch (error) {
    await loaded.stop();
    throw error;
  }
  loaded.instructions = prompts.map((p) => `\n${p}`).join('');
  return loaded;
}

/** Import and start the plugins PLUGINS names, then the ones given in code. */
export async function loadPlugins(specs: readonly string[], extra: readonly Plugin[], context: PluginContext & { cwd: string }): Promise<LoadedPlugins> {
  const plugins: Plugin[] = [];
  for (const spec of specs) plugins.push(await importPlugin(spec, context.cwd));
  for (const plugin of extra) {
    const parsed = pluginSchema.safeParse(plugin);
    if (!parsed.success) throw new ConfigError(`Plugin ${plugin.name ?? '(unnamed)'} is invalid: ${firstIssue(parsed.error)}`, ['PLUGINS']);
    plugins.push(plugin);
  }
  return startPlugins(plugins, { env: context.env, dataDir: context.dataDir, now: context.now, logger: context.logger });
}
