// SSRF defence for webhook URLs: which schemes and addresses an endpoint may have. Checked when an endpoint
// is registered and again at connect time, on the addresses the name resolves to then (a name that
// resolved to a public address at registration and to 169.254.169.254 at delivery is refused: DNS rebinding).
// The connect-time check is the socket's own lookup, so the address judged is the address connected to.
import dns from 'node:dns';
import net from 'node:net';
import { ValidationError } from '../../shared/errors';

type Range = readonly [prefix: string, bits: number, what: string];

/** IPv4 ranges that are not global (IANA special-purpose registry), with what each is, for the error message. */
const IPV4_REFUSED: readonly Range[] = [
  ['0.0.0.0', 8, 'a "this network" address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives there)'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

/**
 * IPv6 is judged by an allow-list: only global unicast (2000::/3) is reachable, minus the parts of it that are
 * not global or carry an IPv4 address (which a relay or a NAT64 gateway of the worker's network would turn into
 * that IPv4 address, private or not). Every form outside 2000::/3 is refused, named when it is a known one.
 */
const IPV6_GLOBAL: Range = ['2000::', 3, ''];
const IPV6_REFUSED_IN_GLOBAL: readonly Range[] = [
  ['2001:db8::', 32, 'a documentation address'],
  ['2001::', 32, 'a Teredo address (it embeds an IPv4 address)'],
  ['2001::', 23, 'an IETF protocol address (benchmarking, ORCHID and others)'],
  ['2002::', 16, 'a 6to4 address (it embeds an IPv4 address)'],
  ['3fff::', 20, 'a documentation address'],
];
const IPV6_NAMED: readonly Range[] = [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['::ffff:0:0', 96, 'an IPv4-mapped address'],
  ['::ffff:0:0:0', 96, 'an IPv4-translated address'],
  ['::', 96, 'an IPv4-compatible address'],
  ['64:ff9b::', 96, 'a NAT64 address (it embeds an IPv4 address)'],
  ['64:ff9b:1::', 48, 'a local NAT64 address (it embeds an IPv4 address)'],
  ['100::', 64, 'a discard address'],
  ['fc00::', 7, 'a unique local (private) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
];

export interface UrlGuardOptions {
  /** http:// allowed too (development and tests); production wants https. */
  allowHttp: boolean;
  /** CIDRs that are allowed even though they fall in a forbidden range, e.g. 127.0.0.1/32 in tests. */
  allowedCidrs: string[];
  /** The resolver (dns.lookup unless a test gives its own): the one answer both checked and connected to. */
  resolve?: typeof dns.lookup;
}

export const forbiddenUrl = (message: string) => new ValidationError('WEBHOOK_URL_FORBIDDEN', message, { details: [{ path: 'url', message }] });

/** Why an address may not be connected to, or null if it is a global address. No allow-list applied. */
export function refusedBecause(address: string): string | null {
  const v4 = net.isIPv4(address) ? bytesOfIpv4(address) : null;
  if (v4) return IPV4_REFUSED.find(([p, bits]) => inRange(v4, bytesOfIpv4(p)!, bits))?.[2] ?? null;
  const v6 = bytesOfIpv6(address);
  if (!v6) return 'not an IP address';
  if (inRange(v6, bytesOfIpv6(IPV6_GLOBAL[0])!, IPV6_GLOBAL[1])) return IPV6_REFUSED_IN_GLOBAL.find(([p, bits]) => inRange(v6, bytesOfIpv6(p)!, bits))?.[2] ?? null;
  return IPV6_NAMED.find(([p, bits]) => inRange(v6, bytesOfIpv6(p)!, bits))?.[2] ?? 'not a global unicast address';
}

export class UrlGuard {
  private readonly allowed = new net.BlockList();
  private readonly resolve: typeof dns.lookup;

  constructor(private readonly options: UrlGuardOptions) {
    this.resolve = options.resolve ?? dns.lookup;
    for (const cidr of options.allowedCidrs) {
      const [addr, bits] = cidr.split('/');
      const type = net.isIPv6(addr ?? '') ? 'ipv6' : 'ipv4';
      if (!addr || !net.isIP(addr)) throw new Error(`WEBHOOK_ALLOWED_CIDRS: ${cidr} is not a CIDR`);
      this.allowed.addSubnet(addr, Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
    }
  }

  /**
   * The URL's shape: http(s) as configured, no credentials, a host. Throws 400 WEBHOOK_URL_FORBIDDEN. The
   * WHATWG parser has already turned every IPv4 spelling (2130706433, 0x7f.1, 0177.0.0.1, 127.1) into
   * dotted decimal and IPv6 into its canonical form, so what is judged is what a socket would dial.
   */
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

  /** Why one resolved address may not be connected to (null: it may). WEBHOOK_ALLOWED_CIDRS comes first. */
  refusal(address: string): string | null {
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (net.isIP(address) && this.allowed.check(address, type)) return null;
    return refusedBecause(address);
  }

  addressAllowed(address: string): boolean {
    return this.refusal(address) === null;
  }

  /** Registration-time check: the URL's shape and every address its host resolves to now. */
  async check(raw: string): Promise<URL> {
    const url = this.parse(raw);
    const host = hostOf(url);
    const addresses = net.isIP(host) ? [host] : await this.resolveWithin(host, RESOLVE_TIMEOUT_MS);
    for (const a of addresses) {
      const why = this.refusal(a);
      if (why) throw forbiddenUrl(host === a ? `${a} is ${why}; webhooks go to public addresses only` : `the host resolves to ${a}, ${why}; webhooks go to public addresses only`);
    }
    return url;
  }

  /**
   * A dns.lookup for http(s).request: resolves once, refuses the connection if any answer is forbidden, and
   * hands the socket exactly the answers it judged (the socket dials these, it does not resolve again).
   */
  lookup: net.LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !this.addressAllowed(a.address));
      if (bad || list.length === 0) return callback(Object.assign(new Error(`webhook host resolves to a forbidden address ${bad?.address ?? '(none)'}`), { code: 'WEBHOOK_ADDRESS_FORBIDDEN' }), '', 4);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  private async resolveWithin(host: string, timeoutMs: number): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(forbiddenUrl(`the host ${host} did not resolve within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const answer = new Promise<string[]>((resolve, reject) =>
      this.resolve(host, { all: true }, (err, addresses) => (err ? reject(forbiddenUrl(`the host ${host} does not resolve`)) : resolve((addresses as dns.LookupAddress[]).map((a) => a.address)))),
    );
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A registration waits this long for DNS at most (a request must not hang on a resolver). */
const RESOLVE_TIMEOUT_MS = 3000;

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function bytesOfIpv4(address: string): number[] | null {
  if (!net.isIPv4(address)) return null;
  return address.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address in any textual form net.isIPv6 accepts (with "::" and a dotted tail). */
function bytesOfIpv6(address: string): number[] | null {
  if (!net.isIPv6(address) || address.includes('%')) return null;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string) => (part ? part.split(':') : []).flatMap((g) => {
    const v4 = bytesOfIpv4(g);
    return v4 ? [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!] : [parseInt(g, 16)];
  });
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 255]);
}

function inRange(address: number[], prefix: number[], bits: number): boolean {
  if (address.length !== prefix.length) return false;
  for (let i = 0; i < bits; i += 8) {
    const mask = bits - i >= 8 ? 255 : (255 << (8 - (bits - i))) & 255;
    if ((address[i / 8]! & mask) !== (prefix[i / 8]! & mask)) return false;
  }
  return true;
}
