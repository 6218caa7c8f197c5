import { z } from 'zod';
import type { Env } from '../config';
import type { OfflineIntent } from '../agent/offline-intent';
import type { Logger, ToolDefinition } from '../ports';
import { specialistSchema, type Specialist } from '../specialists/specialist';
import { isToolDefinition } from '../tools/define-tool';

/** What a plugin adds to the engine. Every part is optional. */
export interface PluginParts {
  /** Tools (`defineTool`), each carrying its whole policy: role, approval rule, thresholds. */
  tools?: readonly ToolDefinition[];
  /** Specialists conversations are routed to (a later one of the same name replaces an earlier one). */
  specialists?: readonly Specialist[];
  /** What the offline model understands about this plugin's domain (`defineOfflineIntent`). */
  offlineIntents?: readonly OfflineIntent[];
  /** A help-center folder (Markdown, HTML, text) served by `search_knowledge_base` when KB_DIR is not set. */
  knowledge?: { dir: string };
  /**
   * Texts: `system` is added to the system prompt (the model's domain rules); `welcome` answers an
   * empty message; `help` is the "Ask me" line of `/support help` (what the bot can do).
   */
  prompts?: { system?: string; welcome?: string; help?: string };
  /** Release what `start` opened (databases, connections); called once at shutdown, in reverse order. */
  stop?: () => Promise<void>;
}

/** What a plugin's `start` receives. */
export interface PluginContext {
  /** The environment: a plugin reads (and validates) its own variables here. */
  env: Env;
  /** The engine's data directory (already created): where a plugin keeps its files. */
  dataDir: string;
  now: () => number;
  logger: Logger;
}

/**
 * A plugin: a named bundle of tools, specialists, offline intents, knowledge
 * and prompt text. Static parts go on the plugin itself; parts that need
 * set-up (a database to open, settings to read) come from `start`.
 */
export interface Plugin extends PluginParts {
  /** Unique, lower-case (`helpdesk`, `acme-billing`); names the plugin in errors and logs. */
  name: string;
  /** Open what the plugin needs and return the parts built from it (merged with the static ones). */
  start?: (context: PluginContext) => Promise<PluginParts | void> | PluginParts | void;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', `${what} must be a function`);

/** Structural check for a value made with `defineOfflineIntent`. */
function isOfflineIntent(value: unknown): value is OfflineIntent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.plan === 'function';
}

const partsShape = {
  tools: z.array(z.custom<ToolDefinition>(isToolDefinition, 'must be made with defineTool({ name, description, input, permission, execute })')).optional(),
  specialists: z.array(specialistSchema).optional(),
  offlineIntents: z.array(z.custom<OfflineIntent>(isOfflineIntent, 'must be made with defineOfflineIntent({ name, plan, … })')).optional(),
  knowledge: z.strictObject({ dir: z.string().min(1) }).optional(),
  prompts: z.strictObject({ system: z.string().optional(), welcome: z.string().min(1).optional(), help: z.string().min(1).optional() }).optional(),
  stop: fn('stop').optional(),
};

/** The parts a plugin (or its `start`) may give; unknown keys are mistakes and rejected. */
export const pluginPartsSchema = z.strictObject(partsShape);

/** A plugin module's export. */
export const pluginSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - or _'),
  start: fn('start').optional(),
  ...partsShape,
});

/** The first problem zod found, as `path message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'is invalid';
  const where = issue.path.join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/**
 * Declare a plugin. Validates the shape at once (a typo in a part's name or
 * a tool not made with `defineTool` throws, naming the plugin), so mistakes
 * surface when the module loads rather than mid-conversation.
 */
export function definePlugin<P extends Plugin>(plugin: P): P {
  const parsed = pluginSchema.safeParse(plugin);
  if (!parsed.success) {
    const name = typeof (plugin as { name?: unknown }).name === 'string' ? (plugin as { name: string }).name : '(unnamed)';
    throw new TypeError(`Plugin ${name} is invalid: ${firstIssue(parsed.error)}`);
  }
  return Object.freeze({ ...plugin });
}
