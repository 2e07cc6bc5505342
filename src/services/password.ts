import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * NOTE (security): passwords are hashed with scrypt, a memory-hard function (N=2^15, r=8, p=1: 32 MiB per
 * hash), with a 16-byte random salt. The parameters are stored with the hash, so a hash made at one cost is
 * verified at its own cost after the cost changes.
 *
 * The cost is log2 of N: 15 by default. CABINET_PASSWORD_HASH_COST may lower it for test suites and throwaway
 * demos (a hash takes about 200 ms of a core at 15 and 6 ms at 10), never below 10; Cabinet says so at start.
 */
export const DEFAULT_PASSWORD_HASH_COST = 15;
export const MIN_PASSWORD_HASH_COST = 10;
export const MAX_PASSWORD_HASH_COST = 20;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

const options = (n: number, r: number, p: number): ScryptOptions => ({ N: n, r, p, maxmem: 128 * n * r * 2 });

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** A hash at this hasher's cost to verify against when the person does not exist, so timing does not reveal which emails exist. */
  readonly dummy: string;
}

export function createPasswordHasher(cost = DEFAULT_PASSWORD_HASH_COST): PasswordHasher {
  if (!Number.isInteger(cost) || cost < MIN_PASSWORD_HASH_COST || cost > MAX_PASSWORD_HASH_COST) {
    throw new Error(`password hash cost must be a whole number from ${MIN_PASSWORD_HASH_COST} to ${MAX_PASSWORD_HASH_COST}, not ${cost}`);
  }
  const n = 2 ** cost;
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await scryptAsync(password, salt, KEYLEN, options(n, R, P));
      return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
    },
    verify: verifyPassword,
    dummy: `scrypt$${n}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEYLEN).toString('base64')}`,
  };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scryptAsync(password, Buffer.from(saltB64, 'base64'), expected.length, options(Number(n), Number(r), Number(p)));
  return timingSafeEqual(key, expected);
}
