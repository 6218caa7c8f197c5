import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors';

/** Current format: AES-256-GCM with the record's context (its storage key) as associated data. */
const VERSION = 'v2';
/** Old format without associated data: still opened, never written. */
const LEGACY_VERSION = 'v1';

/**
 * Encrypts records at rest with AES-256-GCM; every value gets its own 96-bit IV.
 * `context` names where the record lives (its storage key, or the field and
 * session of an audit record) and is authenticated with it, so a sealed value
 * moved to another place fails to open instead of being read as that place's.
 */
export interface Sealer {
  seal(value: unknown, context: string): string;
  /** Opens current (`v2`, bound to `context`) and legacy (`v1`, unbound) values. */
  open<T = unknown>(sealed: string, context: string): T;
}

/** The associated data: the format version is bound too, so a value cannot be relabelled as another format. */
const aad = (version: string, context: string) => Buffer.from(`${version}\n${context}`, 'utf8');

/** A sealer over a 32-byte key. Tampered, foreign or moved ciphertext fails loudly. */
export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new AppError('encryption_key_invalid', 'Encryption key must be 32 bytes');
  return {
    seal(value, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(VERSION, context));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    open<T>(sealed: string, context: string): T {
      const [version, iv, tag, body] = sealed.split('.');
      if ((version !== VERSION && version !== LEGACY_VERSION) || iv === undefined || tag === undefined || body === undefined) {
        throw new AppError('sealed_format', 'Not a sealed record');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        if (version === VERSION) decipher.setAAD(aad(VERSION, context));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
        return JSON.parse(text) as T;
      } catch (cause) {
        throw new AppError('sealed_unreadable', 'Sealed record could not be decrypted (wrong ENCRYPTION_KEY, tampered data, or a record moved from another key)', { cause });
      }
    },
  };
}

/** Context of an audit record's `text_sealed`: bound to its field and session, so it cannot pass as another session's text. */
export function auditTextContext(sessionId: string): string {
  return `audit:text_sealed:${sessionId}`;
}
