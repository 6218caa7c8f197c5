import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';
import { specialistSchema, type Specialist } from './specialist';

const MODULE_FILE = /\.(?:ts|mts|js|mjs)$/;

/**
 * Specialists declared by plugins: every module in `dir` (TOOLS_DIR, the same
 * modules that export tools) may export `specialists`, an array of
 * `{ name, description, instructions, tools, model?, keywords?, patterns? }`.
 * A bad declaration stops start-up naming the file.
 */
export async function loadSpecialistsFromDir(dir: string): Promise<Specialist[]> {
  const absolute = path.resolve(dir);
  const files = (await readdir(absolute)).filter((f) => MODULE_FILE.test(f) && !f.endsWith('.d.ts') && !/\.test\./.test(f)).sort();
  const specialists: Specialist[] = [];
  for (const file of files) {
    // Already imported by the tool loader, so this is the cached module.
    const mod = (await import(pathToFileURL(path.join(absolute, file)).href)) as Record<string, unknown>;
    if (mod.specialists === undefined) continue;
    const parsed = specialistSchema.array().safeParse(mod.specialists);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`TOOLS_DIR module ${file}: specialists.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`, ['TOOLS_DIR']);
    }
    specialists.push(...parsed.data);
  }
  return specialists;
}
