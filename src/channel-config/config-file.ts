import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors';

/** The agent's configuration file, read and with `${NAME}` references filled in. */
export interface ConfigFile {
  /** The whole document. */
  data: unknown;
  /**
   * The `channels` section read again with YAML integers as exact digits: Discord ids
   * (18-20 digits) written unquoted would otherwise lose their last digits as JS numbers.
   */
  channels: unknown;
  /** `MCP_CONFIG: /path/agent.yaml`, the start of every error message about the file. */
  where: string;
  /** The variable that named the file, for `ConfigError.variables`. */
  variable: string;
}

/**
 * Read the configuration file (YAML, or JSON when it ends in `.json`). `${NAME}`
 * anywhere in a string is replaced by that environment variable, so secrets
 * stay out of the file; a missing one stops the start naming it (never its value).
 */
export async function readConfigFile(file: string, env: Record<string, string | undefined>, variable: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${variable}: cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, [variable]);
  }
  const json = file.endsWith('.json');
  let data: unknown;
  let exact: unknown;
  try {
    data = json ? JSON.parse(text) : parseYaml(text);
    exact = json ? data : parseYaml(text, { intAsBigInt: true });
  } catch (cause) {
    throw new ConfigError(`${variable}: ${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, [variable]);
  }
  const missing = new Set<string>();
  const resolved = interpolate(data, env, missing);
  const channels = interpolate(isObject(exact) ? exact.channels : undefined, env, missing);
  if (missing.size > 0) {
    throw new ConfigError(`${variable}: ${file} refers to unset environment variable(s) ${[...missing].join(', ')}`, [variable, ...missing]);
  }
  return { data: resolved, channels, where: `${variable}: ${file}`, variable };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function interpolate(value: unknown, env: Record<string, string | undefined>, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/gi, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') missing.add(name);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, missing));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]));
  return value;
}
