// The SSRF guard's address rules (issue 27, "also check"): every IPv4 spelling the WHATWG parser accepts, every
// IPv6 form that embeds an IPv4 address or is not global unicast, and public controls. Judged by parsing and
// classification, and by an injected resolver for names; the only traffic is to a receiver on 127.0.0.1.
import type dns from 'node:dns';
import { UrlGuard, refusedBecause } from '../src/infra/webhooks/UrlGuard';
import { WebhookSender } from '../src/infra/webhooks/WebhookSender';
import { startReceiver, type Receiver } from './support/receiver';

/** [URL host as a user writes it, what the refusal must say] */
const REFUSED: Array<[string, RegExp]> = [
  // IPv4 spellings the URL parser turns into 127.0.0.1 before anything judges them.
  ['2130706433', /loopback/],
  ['0x7f.1', /loopback/],
  ['127.1', /loopback/],
  ['0177.0.0.1', /loopback/],
  ['017700000001', /loopback/],
  ['0x7f000001', /loopback/],
  ['0x7f.0x0.0x0.0x1', /loopback/],
  ['127.0.0.1.', /loopback/],
  ['%31%32%37.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['0', /this network/],
  ['0.0.0.0', /this network/],
  ['10.0.0.7', /private/],
  ['172.16.5.4', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['169.254.169.254', /link-local/],
  ['192.0.0.8', /IETF protocol/],
  ['192.0.2.1', /documentation/],
  ['198.51.100.1', /documentation/],
  ['203.0.113.9', /documentation/],
  ['192.88.99.1', /6to4 relay/],
  ['198.18.0.1', /benchmarking/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /reserved/],
  // IPv6: loopback and unspecified.
  ['[::1]', /loopback/],
  ['[0:0:0:0:0:0:0:1]', /loopback/],
  ['[::]', /unspecified/],
  // IPv6 forms that carry an IPv4 address, whatever that address is.
  ['[::127.0.0.1]', /IPv4-compatible/],
  ['[::7f00:1]', /IPv4-compatible/],
  ['[::8.8.8.8]', /IPv4-compatible/],
  ['[::ffff:127.0.0.1]', /IPv4-mapped/],
  ['[::ffff:7f00:1]', /IPv4-mapped/],
  ['[::ffff:169.254.169.254]', /IPv4-mapped/],
  ['[::ffff:93.184.216.34]', /IPv4-mapped/],
  ['[::ffff:0:127.0.0.1]', /IPv4-translated/],
  ['[::ffff:0:5db8:d822]', /IPv4-translated/],
  ['[2002:7f00:1::]', /6to4/],
  ['[2002:a9fe:a9fe::1]', /6to4/],
  ['[2002:5db8:d822::1]', /6to4/],
  ['[64:ff9b::7f00:1]', /NAT64/],
  ['[64:ff9b::169.254.169.254]', /NAT64/],
  ['[64:ff9b::5db8:d822]', /NAT64/],
  ['[64:ff9b:1::7f00:1]', /local NAT64/],
  ['[64:ff9b:1:ffff::1]', /local NAT64/],
  ['[2001::1]', /Teredo/],
  ['[2001:0:4136:e378:8000:63bf:3fff:fdd2]', /Teredo/],
  // IPv6 that is not global unicast.
  ['[2001:2::1]', /IETF protocol/],
  ['[2001:10::1]', /IETF protocol/],
  ['[2001:20::1]', /IETF protocol/],
  ['[2001:1ff::1]', /IETF protocol/],
  ['[2001:db8::1]', /documentation/],
  ['[2001:db8:ffff::1]', /documentation/],
  ['[3fff::1]', /documentation/],
  ['[100::1]', /discard/],
  ['[fc00::1]', /unique local/],
  ['[fd00:ec2::254]', /unique local/],
  ['[fe80::1]', /link-local/],
  ['[febf::1]', /link-local/],
  ['[fec0::1]', /site-local/],
  ['[feff:ffff::1]', /site-local/],
  ['[ff02::1]', /multicast/],
  ['[ff05::fb]', /multicast/],
  ['[5f00::1]', /not a global unicast/],
  ['[4000::1]', /not a global unicast/],
  ['[1::1]', /not a global unicast/],
];

/** Public addresses, including the first ones past the edges of refused ranges. */
const ALLOWED = [
  '93.184.216.34',
  '8.8.8.8',
  '1.0.0.1',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.1',
  '172.15.255.255',
  '172.32.0.1',
  '192.0.1.1',
  '192.167.255.255',
  '192.169.0.1',
  '198.17.255.255',
  '198.20.0.1',
  '223.255.255.254',
  '[2606:4700:4700::1111]',
  '[2001:4860:4860::8888]',
  '[2a00:1450:4001:82b::200e]',
  '[2001:200::1]',
  '[2001:db9::1]',
  '[2003::1]',
  '[3ffe:ffff::1]',
  '[3fff:1000::1]',
];

describe('UrlGuard: which addresses a webhook may reach', () => {
  const guard = new UrlGuard({ allowHttp: true, allowedCidrs: [] });

  it.each(REFUSED)('refuses http://%s/ at registration and at connect time, saying why', async (host, why) => {
    const url = new URL(`http://${host}/hook`);
    const address = url.hostname.replace(/^\[|\]$/g, '');
    await expect(guard.check(`http://${host}/hook`)).rejects.toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN', message: expect.stringMatching(why) });
    expect(refusedBecause(address)).toMatch(why);
    expect(guard.addressAllowed(address)).toBe(false);
  });

  it.each(ALLOWED)('allows the public address %s', async (host) => {
    await expect(guard.check(`https://${host}/hook`)).resolves.toBeInstanceOf(URL);
    expect(guard.addressAllowed(host.replace(/^\[|\]$/g, ''))).toBe(true);
  });

  it('judges the textual forms a resolver may answer with (dotted IPv4 tails, uncompressed groups) like the canonical ones', () => {
    for (const a of ['::ffff:127.0.0.1', '0:0:0:0:0:ffff:7f00:1', '::ffff:0:127.0.0.1', '64:ff9b::127.0.0.1', '0000:0000:0000:0000:0000:0000:0000:0001', 'fe80::1%eth0', 'not-an-address']) {
      expect({ a, allowed: guard.addressAllowed(a) }).toEqual({ a, allowed: false });
    }
    expect(guard.addressAllowed('2606:4700:4700:0:0:0:0:1111')).toBe(true);
  });

  it('lets WEBHOOK_ALLOWED_CIDRS name a range that is otherwise refused, and nothing next to it', () => {
    const tests = new UrlGuard({ allowHttp: true, allowedCidrs: ['127.0.0.1/32', 'fd00:1::/64'] });
    expect(['127.0.0.1', 'fd00:1::5'].map((a) => tests.addressAllowed(a))).toEqual([true, true]);
    expect(['127.0.0.2', 'fd00:2::5', '::7f00:1', '64:ff9b::7f00:1', '2002:7f00:1::'].map((a) => tests.addressAllowed(a))).toEqual([false, false, false, false, false]);
  });

  it('refuses a name if any address it resolves to is refused, and every form of it', async () => {
    const answers: Record<string, string[]> = {
      'mixed.test': ['93.184.216.34', '10.1.2.3'],
      'mapped.test': ['::ffff:169.254.169.254'],
      'sixtofour.test': ['2002:7f00:1::'],
      'nat64.test': ['64:ff9b:1::a9fe:a9fe'],
      'public.test': ['93.184.216.34', '2606:4700:4700::1111'],
    };
    const named = new UrlGuard({ allowHttp: true, allowedCidrs: [], resolve: fakeResolver(answers) });
    for (const [name, why] of [['mixed.test', /resolves to 10\.1\.2\.3, a private/], ['mapped.test', /IPv4-mapped/], ['sixtofour.test', /6to4/], ['nat64.test', /local NAT64/]] as const) {
      await expect(named.check(`https://${name}/hook`)).rejects.toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN', message: expect.stringMatching(why) });
    }
    await expect(named.check('https://public.test/hook')).resolves.toBeInstanceOf(URL);
    await expect(named.check('https://unknown.test/hook')).rejects.toMatchObject({ message: 'the host unknown.test does not resolve' });
  });
});

describe('WebhookSender: the address judged is the address connected to', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });
  const send = (guard: UrlGuard, url: string) => new WebhookSender(guard, { timeoutMs: 2000, maxResponseBytes: 4096, userAgent: 'test' }).send(url, { secret: 'whsec_test', body: '{"id":"1","type":"webhook.test"}', headers: {} });

  it('refuses IP literals in every spelling before connecting (the receiver on 127.0.0.1 sees nothing)', async () => {
    const strict = new UrlGuard({ allowHttp: true, allowedCidrs: [] });
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[::ffff:127.0.0.1]', '[::127.0.0.1]']) {
      const r = await send(strict, `http://${host}:${receiver.port}/hook`);
      expect({ host, ok: r.ok, error: r.error }).toEqual({ host, ok: false, error: expect.stringMatching(/forbidden address/) });
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('resolves a name once per delivery and connects to exactly the answer it checked', async () => {
    const calls: string[] = [];
    let answer = '127.0.0.1';
    const resolve = ((host: string, options: unknown, cb: (err: Error | null, addresses: dns.LookupAddress[]) => void) => {
      calls.push(host);
      cb(null, [{ address: answer, family: 4 }]);
    }) as unknown as typeof dns.lookup;
    const guard = new UrlGuard({ allowHttp: true, allowedCidrs: ['127.0.0.1/32'], resolve });
    const ok = await send(guard, `http://hooks.rebind.test:${receiver.port}/hook`);
    expect([ok.ok, ok.status, calls]).toEqual([true, 200, ['hooks.rebind.test']]);
    expect(receiver.received).toHaveLength(1);
    // The same name now answers with another loopback address, which the allow-list does not name: refused,
    // and no second lookup could have sent the socket elsewhere.
    answer = '127.0.0.2';
    const refused = await send(guard, `http://hooks.rebind.test:${receiver.port}/hook`);
    expect([refused.ok, refused.error]).toEqual([false, 'webhook host resolves to a forbidden address 127.0.0.2']);
    expect(calls).toHaveLength(2);
    expect(receiver.received).toHaveLength(1);
  });
});

function fakeResolver(answers: Record<string, string[]>): typeof dns.lookup {
  return ((host: string, _options: unknown, cb: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
    const list = answers[host];
    if (!list) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    cb(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as typeof dns.lookup;
}
