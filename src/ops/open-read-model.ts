import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeKey, type EngineConfig } from '../config';
import { ConfigError } from '../errors';
import { createStore } from '../sessions/create-store';
import { createSealer } from '../sessions/sealer';
import { ReadModel } from './read-model';

/**
 * The bot's encryption key for a reader: ENCRYPTION_KEY, else the key the bot
 * generated into DATA_DIR. Unlike the bot, a reader never generates one (a new
 * key would only hide that it cannot read anything).
 */
export async function readerEncryptionKey(config: EngineConfig): Promise<Buffer> {
  if (config.encryptionKey) return config.encryptionKey;
  const file = path.join(config.dataDir, 'encryption.key');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const key = text === undefined ? undefined : decodeKey(text);
  if (!key) {
    throw new ConfigError(
      `No encryption key: set ENCRYPTION_KEY to the bot's key, or point DATA_DIR at the bot's data directory (it holds encryption.key). Looked in ${file}.`,
      ['ENCRYPTION_KEY', 'DATA_DIR'],
    );
  }
  return key;
}

/** A read model over the store and audit log named by `config` (same loading as the bot), with a `close`. */
export async function openReadModel(config: EngineConfig, options: { now: () => number; storeNamespace?: string }): Promise<{ readModel: ReadModel; close(): Promise<void> }> {
  const key = await readerEncryptionKey(config);
  const store = await createStore(config.storeUrl, options.storeNamespace ? { namespace: options.storeNamespace } : {});
  const readModel = new ReadModel({ store, sealer: createSealer(key), auditLogPath: config.auditLogPath, budget: config.budget, now: options.now });
  return { readModel, close: () => store.close() };
}
