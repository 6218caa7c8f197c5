/**
 * Recognises the sealer's output (src/sessions/sealer.ts):
 * `v<n>.<iv>.<tag>.<body>`, each part standard base64. Any version number is
 * accepted, since a new sealer version keeps the same shape. The IV is 12 to
 * 24 bytes, the tag 16 bytes (AES-GCM, ChaCha20-Poly1305), the body non-empty.
 */
const SEALED_ENVELOPE = /^v[1-9]\d{0,2}\.(?:[A-Za-z0-9+/]{4}){4,8}\.[A-Za-z0-9+/]{22}==\.(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;

/** Whether a value really is a sealed envelope, which only ciphertext may skip the scrubber for. */
export function isSealedEnvelope(value: unknown): value is string {
  return typeof value === 'string' && SEALED_ENVELOPE.test(value);
}
