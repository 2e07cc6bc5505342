import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a signature's timestamp may be before a receiver should refuse it (docs/communication.md). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The X-Cabinet-Signature of a body: `t=UNIX_SECONDS,v1=HEX(HMAC_SHA256(secret, "t.BODY"))`, BODY the exact
 * bytes sent. The timestamp is inside the MAC, so a receiver that refuses old ones cannot be replayed to.
 */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (and the docs show): reads t and every v1 from the header, refuses a t more than
 * `toleranceSeconds` away from now, and compares the MAC in constant time.
 */
export function verifySignature(
  header: string,
  secret: string,
  body: string,
  now: Date,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const given = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (!Number.isInteger(t) || given.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return given.some((v) => {
    const mac = Buffer.from(v, 'hex');
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  });
}
