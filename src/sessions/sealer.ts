import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors';

const VERSION = 'v1';

/** Encrypts records at rest with AES-256-GCM; every value gets its own 96-bit IV. */
export interface Sealer {
  seal(value: unknown): string;
  open<T = unknown>(sealed: string): T;
}

/** A sealer over a 32-byte key. Tampered or foreign ciphertext fails loudly. */
export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new AppError('encryption_key_invalid', 'Encryption key must be 32 bytes');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    open<T>(sealed: string): T {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new AppError('sealed_format', 'Not a sealed record');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
        return JSON.parse(text) as T;
      } catch (cause) {
        throw new AppError('sealed_unreadable', 'Sealed record could not be decrypted (wrong ENCRYPTION_KEY or tampered data)', { cause });
      }
    },
  };
}
