import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeKey } from '../config';
import { ConfigError } from '../errors';

export interface KeySource {
  /** Key from ENCRYPTION_KEY, if set. */
  configured: Buffer | undefined;
  /** Production and shared stores must not invent a key per replica. */
  required: boolean;
  dataDir: string;
}

/**
 * The key that seals data at rest: ENCRYPTION_KEY when set; otherwise, for
 * local runs only, one generated once into `<dataDir>/encryption.key` (0600).
 */
export async function resolveEncryptionKey(source: KeySource): Promise<{ key: Buffer; origin: 'env' | 'file' | 'generated' }> {
  if (source.configured) return { key: source.configured, origin: 'env' };
  if (source.required) {
    throw new ConfigError(
      'ENCRYPTION_KEY is required here (production or a shared Redis store, where every replica needs the same key). Generate one with: openssl rand -hex 32',
      ['ENCRYPTION_KEY'],
    );
  }
  const file = path.join(source.dataDir, 'encryption.key');
  try {
    const existing = decodeKey(await readFile(file, 'utf8'));
    if (!existing) throw new ConfigError(`${file} does not hold a valid 32-byte key; restore it or set ENCRYPTION_KEY`, ['ENCRYPTION_KEY']);
    return { key: existing, origin: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(source.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    // `wx`: two processes starting at once must not overwrite each other's key.
    await writeFile(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
    return { key, origin: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveEncryptionKey(source);
    throw error;
  }
}
