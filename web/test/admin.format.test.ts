// The admin pages' sizes and durations in words (web/src/admin/format.ts): "412 GiB of 1 TiB", never "1024 MiB".
import { describe, expect, it } from 'vitest';
import { bytesInWords, duration, share, usedOf } from '../src/admin/format';

describe('sizes in words', () => {
  it('says bytes below a KiB and the largest unit above, with three significant digits and no trailing zeros', () => {
    expect([0, 1, 980, 1023].map(bytesInWords)).toEqual(['0 bytes', '1 byte', '980 bytes', '1023 bytes']);
    expect(bytesInWords(1536)).toBe('1.5 KiB');
    expect(bytesInWords(10 * 1024 * 1024)).toBe('10 MiB');
    expect(bytesInWords(412 * 1024 ** 3)).toBe('412 GiB');
    expect(bytesInWords(1024 ** 4)).toBe('1 TiB');
    expect(bytesInWords(12.345 * 1024 ** 3)).toBe('12.3 GiB');
    expect(bytesInWords(1.234 * 1024 ** 2)).toBe('1.23 MiB');
  });

  it('rounds just under a unit up to one of the next, never "1024 MiB"', () => {
    expect(bytesInWords(1024 ** 3 - 1)).toBe('1 GiB');
    expect(bytesInWords(1024 * 1024 - 10)).toBe('1 MiB');
  });

  it('names use against a quota, or the use alone without one', () => {
    expect(usedOf(412 * 1024 ** 3, 1024 ** 4)).toBe('412 GiB of 1 TiB');
    expect(usedOf(5, null)).toBe('5 bytes');
  });

  it('refuses nonsense as an unknown size, and shares of nothing as 0', () => {
    expect(bytesInWords(-1)).toBe('an unknown size');
    expect(bytesInWords(Number.NaN)).toBe('an unknown size');
    expect(share(5, 0)).toBe(0);
    expect(share(150, 100)).toBe(100);
  });

  it('says request durations in ms below a second', () => {
    expect([duration(84), duration(1234), duration(12_345)]).toEqual(['84 ms', '1.2 s', '12 s']);
  });
});
