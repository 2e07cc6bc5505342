import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A webhook secret at rest: AES-256-GCM under the server's `webhook` key (server_secrets), with a random
 * 96-bit nonce, and the webhook's id as associated data, so that a sealed secret copied onto another row
 * does not open. Stored as `v1.<base64url(nonce | tag | ciphertext)>`.
 *
 * NOTE (security): the secret is encrypted, not hashed, because signing each message needs its clear value.
 * What this protects against is a leak of the database alone (a dump, a backup); whoever holds the database
 * and its server_secrets table holds the key too, as with the unsubscribe key.
 */
export function sealSecret(key: Buffer, secret: string, webhookId: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(webhookId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

/** The clear secret; throws when the sealed value was altered, moved to another webhook or sealed under another key. */
export function openSecret(key: Buffer, sealed: string, webhookId: string): string {
  if (!sealed.startsWith('v1.')) throw new Error('The webhook secret is not in a known format.');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(webhookId, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
