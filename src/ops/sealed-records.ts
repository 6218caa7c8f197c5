import { AppError } from '../errors';
import type { Store } from '../ports';
import type { Sealer } from '../sessions/sealer';

/** The bot's records could not be decrypted with the key the reader was given. */
export class EncryptionKeyMismatchError extends AppError {
  constructor(prefix: string, unreadable: number) {
    super(
      'encryption_key_mismatch',
      `${unreadable} ${prefix.replace(/:$/, '')} record(s) could not be decrypted: use the same ENCRYPTION_KEY as the bot (or run where DATA_DIR holds the bot's encryption.key).`,
    );
  }
}

/**
 * Every readable record under `prefix` (`session:`, `approval:`, `escalation:`),
 * opened with the sealer and validated by `parse`. Records that fail only
 * validation (an older shape) are skipped; when records exist but none can be
 * decrypted, the key is wrong and that is said plainly instead of showing nothing.
 */
export async function readSealed<T>(store: Store, sealer: Sealer, prefix: string, parse: (raw: unknown) => T | undefined): Promise<T[]> {
  const out: T[] = [];
  let unreadable = 0;
  for await (const [key, value] of store.scan<{ sealed?: unknown }>(prefix)) {
    if (!value || typeof value.sealed !== 'string') continue;
    let raw: unknown;
    try {
      raw = sealer.open(value.sealed, key);
    } catch {
      unreadable += 1;
      continue;
    }
    const record = parse(raw);
    if (record !== undefined) out.push(record);
  }
  if (unreadable > 0 && out.length === 0) throw new EncryptionKeyMismatchError(prefix, unreadable);
  return out;
}
