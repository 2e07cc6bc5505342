import { createPrivateKey, sign } from 'node:crypto';

const b64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

/**
 * The JWT a GitHub App authenticates as itself with: RS256 over `{iat, exp, iss}`, `iss` the App id. Issued 60
 * seconds in the past (GitHub's advice against clock drift) and valid 9 minutes (GitHub allows at most 10).
 */
export function appJwt(appId: string, privateKeyPem: string, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000) - 60;
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iat, exp: iat + 600 - 60, iss: appId }));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), createPrivateKey(privateKeyPem));
  return `${header}.${payload}.${b64url(signature)}`;
}

/** Whether a PEM is a private key node:crypto can sign with (checked when the settings are saved). */
export function privateKeyProblem(pem: string): string | null {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'rsa' ? null : 'must be an RSA private key, as GitHub generates for Apps';
  } catch {
    return 'is not a private key that can be read (paste the whole .pem file GitHub downloaded)';
  }
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Installation tokens are reused until this close to their expiry (they last an hour). */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Installation access tokens by API, App and installation, kept until five minutes before they expire, so that
 * a busy repository does not mint a token per webhook. NOTE (security): held in memory only, never stored.
 */
export class InstallationTokens {
  private readonly cache = new Map<string, CachedToken>();

  async get(key: string, now: Date, mint: () => Promise<{ token: string; expiresAt: string }>): Promise<string> {
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - REFRESH_BEFORE_MS > now.getTime()) return cached.token;
    const fresh = await mint();
    this.cache.set(key, { token: fresh.token, expiresAt: Date.parse(fresh.expiresAt) });
    return fresh.token;
  }

  /** Forgets every token (the App's credentials changed). */
  clear(): void {
    this.cache.clear();
  }
}
