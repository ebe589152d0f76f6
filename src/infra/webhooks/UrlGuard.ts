// SSRF defence for webhook URLs: which schemes and addresses an endpoint may have. Checked when an endpoint
// is registered and again at connect time, on the addresses the name resolves to then (a name that
// resolved to a public address at registration and to 169.254.169.254 at delivery is refused: DNS rebinding).
import dns from 'node:dns';
import net from 'node:net';
import { ValidationError } from '../../shared/errors';

/** Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast, reserved and documentation ranges. */
const FORBIDDEN: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['100::', 64, 'ipv6'],
];

export interface UrlGuardOptions {
  /** http:// allowed too (development and tests); production wants https. */
  allowHttp: boolean;
  /** CIDRs that are allowed even though they fall in a forbidden range, e.g. 127.0.0.1/32 in tests. */
  allowedCidrs: string[];
}

export const forbiddenUrl = (message: string) => new ValidationError('WEBHOOK_URL_FORBIDDEN', message, { details: [{ path: 'url', message }] });

export class UrlGuard {
  private readonly forbidden = new net.BlockList();
  private readonly allowed = new net.BlockList();

  constructor(private readonly options: UrlGuardOptions) {
    for (const [addr, prefix, type] of FORBIDDEN) this.forbidden.addSubnet(addr, prefix, type);
    for (const cidr of options.allowedCidrs) {
      const [addr, bits] = cidr.split('/');
      const type = net.isIPv6(addr ?? '') ? 'ipv6' : 'ipv4';
      if (!addr || !net.isIP(addr)) throw new Error(`WEBHOOK_ALLOWED_CIDRS: ${cidr} is not a CIDR`);
      this.allowed.addSubnet(addr, Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
    }
  }

  /** The URL's shape: http(s) as configured, no credentials, a host. Throws 400 WEBHOOK_URL_FORBIDDEN. */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw forbiddenUrl('not a URL');
    }
    if (url.protocol !== 'https:' && !(this.options.allowHttp && url.protocol === 'http:')) throw forbiddenUrl(this.options.allowHttp ? 'must be http or https' : 'must be https');
    if (url.username || url.password) throw forbiddenUrl('must not carry credentials');
    if (!url.hostname) throw forbiddenUrl('needs a host');
    return url;
  }

  /** Whether one resolved address may be connected to. */
  addressAllowed(address: string): boolean {
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (this.allowed.check(address, type)) return true;
    // IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address inside them.
    const embedded = type === 'ipv6' ? embeddedIpv4(address) : null;
    if (embedded) return this.addressAllowed(embedded);
    return !this.forbidden.check(address, type);
  }

  /** Registration-time check: the URL's shape and every address its host resolves to now. */
  async check(raw: string): Promise<URL> {
    const url = this.parse(raw);
    const host = hostOf(url);
    const addresses = net.isIP(host) ? [host] : await resolveWithin(host, RESOLVE_TIMEOUT_MS);
    for (const a of addresses) if (!this.addressAllowed(a)) throw forbiddenUrl(`the host resolves to ${a}, a private, loopback, link-local or reserved address`);
    return url;
  }

  /** A dns.lookup for http(s).request: resolves as usual, then refuses forbidden addresses at connect time. */
  lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !this.addressAllowed(a.address));
      if (bad || list.length === 0) return callback(Object.assign(new Error(`webhook host resolves to a forbidden address ${bad?.address ?? '(none)'}`), { code: 'WEBHOOK_ADDRESS_FORBIDDEN' }), '', 4);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** A registration waits this long for DNS at most (a request must not hang on a resolver). */
const RESOLVE_TIMEOUT_MS = 3000;

async function resolveWithin(host: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(forbiddenUrl(`the host ${host} did not resolve within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([
      dns.promises.lookup(host, { all: true }).then(
        (r) => r.map((a) => a.address),
        () => {
          throw forbiddenUrl(`the host ${host} does not resolve`);
        },
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function embeddedIpv4(v6: string): string | null {
  const lower = v6.toLowerCase();
  for (const prefix of ['::ffff:', '64:ff9b::']) {
    if (!lower.startsWith(prefix)) continue;
    const rest = lower.slice(prefix.length);
    if (net.isIPv4(rest)) return rest;
    const parts = rest.split(':');
    if (parts.length === 2 && parts.every((p) => /^[0-9a-f]{1,4}$/.test(p))) {
      const [hi, lo] = parts.map((p) => parseInt(p, 16)) as [number, number];
      return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
  }
  return null;
}
