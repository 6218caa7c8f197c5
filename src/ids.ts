import { randomBytes } from 'node:crypto';

/** Short unguessable id with a readable prefix, e.g. `apr_3kJx9QzL0aBc`. Fits Discord's 100-char custom_id. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}
