import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors';
import type { Store } from '../ports';
import { RedisStore } from './redis-store';
import { SqliteStore } from './sqlite-store';

/** Options shared by every store `createStore` can open. */
export interface CreateStoreOptions {
  /** Key prefix, so several apps or tests can share one database. Default `keyv`. */
  namespace?: string;
  /** Redis only: give up connecting after this long, ms. Default 5000. */
  connectTimeoutMs?: number;
}

/**
 * Open the store named by `url` and check it is usable:
 * `sqlite:///abs/path/file.sqlite` (parent directory created) or `redis://…` / `rediss://…`.
 */
export async function createStore(url: string, options: CreateStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    if (!path.isAbsolute(file)) {
      throw new ConfigError(`STORE_URL must name an absolute file, like sqlite:///var/lib/support/store.sqlite (got ${url})`, ['STORE_URL']);
    }
    await mkdir(path.dirname(file), { recursive: true });
    return SqliteStore.open({ path: file, namespace: options.namespace });
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    try {
      return await RedisStore.open({ url, namespace: options.namespace, ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}) });
    } catch (error) {
      // Operators need to know which setting and which server; the password stays out.
      const reason = error instanceof Error ? error.message.replace(/^Redis store open failed: /, '') : String(error);
      throw new ConfigError(`STORE_URL: the Redis store at ${redisAddress(url)} cannot be reached (${reason})`, ['STORE_URL'], { cause: error });
    }
  }
  // Never echo the URL here: a Redis URL may carry a password.
  throw new ConfigError('STORE_URL must start with sqlite://, redis:// or rediss://', ['STORE_URL']);
}

/** `host:port` of a Redis URL (default port 6379), without user, password or database. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
  } catch {
    return 'an unparsable address';
  }
}
