import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard of outbound webhooks: a webhook may reach public unicast addresses only, unless the operator
 * lets private targets through (CABINET_WEBHOOK_ALLOW_PRIVATE) or an admin allow-listed the host or range.
 *
 * NOTE (security): a webhook URL is chosen by a person and fetched by the server, from inside the network it
 * runs in. Without this guard an admin account (or a stolen admin token) could make Cabinet POST to the cloud
 * metadata service (169.254.169.254), the database's HTTP port or anything else behind the firewall. The
 * check runs twice: when a URL is saved or tested (so the admin hears why at once), and again at connect time
 * through the `lookup` hook of the request, on the very addresses the socket connects to, so that a name that
 * resolved to a public address when saved and to 127.0.0.1 now (DNS rebinding) is still refused.
 */
export interface TargetPolicy {
  /** CABINET_WEBHOOK_ALLOW_PRIVATE: every target is allowed. */
  allowPrivate: boolean;
  /** Host names, addresses and CIDR ranges an admin allowed although they are private. */
  allowList: readonly string[];
}

/** Words for the ranges ipaddr.js names, as a refusal says them. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local (fc00::/7)',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  unspecified: 'unspecified (0.0.0.0/8, ::)',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};

/** Strips the brackets a URL puts around an IPv6 address. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * The range of an address as ipaddr.js names it, after an IPv4-mapped IPv6 address (::ffff:127.0.0.1) was
 * read as the IPv4 address it maps: `unicast` for a public one. NOTE: anything but `unicast` is refused, which
 * also covers the IPv6 forms that embed an IPv4 address (NAT64 64:ff9b::/96, ::ffff:0:0/96, 6to4, Teredo) and
 * documentation ranges: no legitimate receiver lives there.
 */
export function rangeOf(address: string): string {
  return ipaddr.process(address).range();
}

/** Whether the address is one a webhook may not reach without being allowed. */
export function isForbiddenAddress(address: string): boolean {
  return rangeOf(address) !== 'unicast';
}

/** The problem of an allow-list entry, or null: a host name, an address or a CIDR range. */
export function allowListEntryProblem(entry: string): string | null {
  const e = entry.trim();
  if (e.includes('/')) return ipaddr.isValidCIDR(e) ? null : 'must be a host name, an address or a CIDR range such as 10.0.0.0/8';
  if (ipaddr.isValid(e)) return null;
  return /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i.test(e)
    ? null
    : 'must be a host name, an address or a CIDR range such as 10.0.0.0/8';
}

/** Whether the allow-list lets `host` (as the URL names it) or `address` (as it resolved) through. */
export function isAllowListed(allowList: readonly string[], host: string, address: string | null): boolean {
  const name = bareHost(host).toLowerCase().replace(/\.$/, '');
  const ip = address && ipaddr.isValid(address) ? ipaddr.process(address) : null;
  for (const raw of allowList) {
    const entry = raw.trim().toLowerCase();
    if (entry.includes('/')) {
      if (!ip || !ipaddr.isValidCIDR(entry)) continue;
      const [net, bits] = ipaddr.parseCIDR(entry);
      const range =
        net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress()
          ? ([(net as ipaddr.IPv6).toIPv4Address(), bits - 96] as const)
          : ([net, bits] as const);
      if (ip.kind() === range[0].kind() && ip.match(range[0], range[1])) return true;
    } else if (ipaddr.isValid(entry)) {
      if (ip && ip.kind() === ipaddr.process(entry).kind() && ip.toNormalizedString() === ipaddr.process(entry).toNormalizedString())
        return true;
    } else if (entry.replace(/\.$/, '') === name) {
      return true;
    }
  }
  return false;
}

/** Why `address` (what `host` resolved to) may not be reached under the policy, or null when it may. */
export function refusalOf(policy: TargetPolicy, host: string, address: string): string | null {
  if (policy.allowPrivate || !ipaddr.isValid(address)) return null;
  const range = rangeOf(address);
  if (range === 'unicast' || isAllowListed(policy.allowList, host, address)) return null;
  const name = bareHost(host);
  const what = RANGE_WORDS[range] ?? `${range} (not public)`;
  const via = name === address ? `${address} is a ${what} address` : `${name} resolves to ${address}, a ${what} address`;
  return `${via}; webhooks reach public addresses only unless CABINET_WEBHOOK_ALLOW_PRIVATE=1 is set or an admin adds it to the webhook allow-list`;
}

/** An error a refused target fails the request with (its message says why). */
export class TargetRefusedError extends Error {
  readonly code = 'ECABINET_TARGET_REFUSED';
}

export type Resolver = (host: string) => Promise<string[]>;

/** Every address a name resolves to, as connecting to it would resolve it (getaddrinfo, both families). */
export const systemResolver: Resolver = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Why the URL's target may not be reached, or null: its host, or any address the host resolves to now, is
 * private and not allowed. A host that does not resolve is a problem too (nothing would be delivered).
 */
export async function targetProblem(url: string, policy: TargetPolicy, resolve: Resolver = systemResolver): Promise<string | null> {
  let host: string;
  try {
    host = bareHost(new URL(url).hostname);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (policy.allowPrivate) return null;
  if (ipaddr.isValid(host)) return refusalOf(policy, host, host);
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    return `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const address of addresses) {
    const refusal = refusalOf(policy, host, address);
    if (refusal) return refusal;
  }
  return null;
}

/**
 * The `lookup` of an outbound request: resolves as usual, then fails the connection when any address is
 * refused (TargetRefusedError), so the socket never opens to it. NOTE: Node calls it with `all: true` when it
 * tries both families (autoSelectFamily), and without for a single address; both answers are given.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const refusal = refusalOf(policy, hostname, a.address);
        if (refusal) return callback(new TargetRefusedError(refusal), '', 4);
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 4);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
