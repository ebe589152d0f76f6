// The player's frame maths at 23.976, 24, 25 and 29.97 fps: frame ↔ time ↔ SMPTE timecode, drop-frame
// at 29.97, and long shots where float drift would show.
import { describe, expect, it } from 'vitest';
import {
  RATES, clampFrame, frameStart, frameToTimecode, isDropFrame, mediaTimeToFrame, parseRate, rateLabel, seekTime, timeToFrame, timecodeToFrame, type Rate,
} from '../src/review/frames';

const all: Array<[string, Rate]> = [['23.976', RATES['23.976']], ['24', RATES['24']], ['25', RATES['25']], ['29.97', RATES['29.97']]];

describe('rates', () => {
  it('parses ffprobe rates into reduced rationals and names them as people do', () => {
    expect(parseRate('24000/1001')).toEqual({ num: 24000, den: 1001 });
    expect(parseRate('50/2')).toEqual({ num: 25, den: 1 });
    expect(parseRate('25')).toEqual({ num: 25, den: 1 });
    expect(parseRate('0/0')).toBeNull();
    expect(parseRate('23.976')).toBeNull();
    expect(parseRate('-24/1')).toBeNull();
    expect(rateLabel(RATES['23.976'])).toBe('23.976');
    expect(rateLabel(RATES['29.97'])).toBe('29.97');
    expect(rateLabel(RATES['59.94'])).toBe('59.94');
    expect(rateLabel(RATES['25'])).toBe('25');
  });
  it('uses drop-frame only at 29.97 and 59.94', () => {
    expect(all.map(([, r]) => isDropFrame(r))).toEqual([false, false, false, true]);
    expect(isDropFrame(RATES['59.94'])).toBe(true);
  });
});

describe.each(all)('frame ↔ time at %s fps', (_label, rate) => {
  it('maps every frame of a long shot (0..200,000) to its seek time and back to the same integer', () => {
    for (let f = 0; f <= 200_000; f++) {
      expect(timeToFrame(seekTime(f, rate), rate)).toBe(f);
      // A presented frame's timestamp, as the browser reports it (microseconds).
      const mediaTime = Math.round(frameStart(f, rate) * 1e6) / 1e6;
      if (mediaTimeToFrame(mediaTime, rate) !== f) expect(mediaTimeToFrame(mediaTime, rate)).toBe(f);
      if (timeToFrame(mediaTime, rate) !== f) expect(timeToFrame(mediaTime, rate)).toBe(f);
    }
  });
  it('puts the seek time strictly inside the frame, half a frame from either edge', () => {
    for (const f of [0, 1, 23, 24, 1799, 1800, 17982, 100_000, 172_799]) {
      const t = seekTime(f, rate);
      expect(t).toBeGreaterThan(frameStart(f, rate));
      expect(t).toBeLessThan(frameStart(f + 1, rate));
    }
  });
  it('round-trips every frame through its timecode up to frame 200,000', () => {
    for (let f = 0; f <= 200_000; f++) {
      const tc = frameToTimecode(f, rate);
      const back = timecodeToFrame(tc, rate);
      if (back !== f) expect([f, tc, back]).toEqual([f, tc, f]);
    }
  });
});

describe('timecode', () => {
  it('counts 24 labels a second at 23.976 (non-drop, so it drifts from the wall clock)', () => {
    expect(frameToTimecode(0, RATES['23.976'])).toBe('00:00:00:00');
    expect(frameToTimecode(23, RATES['23.976'])).toBe('00:00:00:23');
    expect(frameToTimecode(24, RATES['23.976'])).toBe('00:00:01:00');
    expect(frameToTimecode(86_400, RATES['23.976'])).toBe('01:00:00:00');
    // 100,000 frames: 1:09:26 of labels, though 1:09:30.2 of real time has passed.
    expect(frameToTimecode(100_000, RATES['23.976'])).toBe('01:09:26:16');
  });
  it('counts 24 and 25 fps plainly', () => {
    expect(frameToTimecode(1031, RATES['24'])).toBe('00:00:42:23');
    expect(frameToTimecode(24, RATES['24'])).toBe('00:00:01:00');
    expect(frameToTimecode(25, RATES['25'])).toBe('00:00:01:00');
    expect(frameToTimecode(90_000, RATES['25'])).toBe('01:00:00:00');
    expect(frameToTimecode(123_456, RATES['25'])).toBe('01:22:18:06');
  });
  it('drops labels 00 and 01 each minute at 29.97, except every tenth minute', () => {
    const r = RATES['29.97'];
    expect(frameToTimecode(29, r)).toBe('00:00:00;29');
    expect(frameToTimecode(30, r)).toBe('00:00:01;00');
    expect(frameToTimecode(1799, r)).toBe('00:00:59;29');
    expect(frameToTimecode(1800, r)).toBe('00:01:00;02');
    expect(frameToTimecode(1801, r)).toBe('00:01:00;03');
    expect(frameToTimecode(3597, r)).toBe('00:01:59;29');
    expect(frameToTimecode(3598, r)).toBe('00:02:00;02');
    expect(frameToTimecode(17_981, r)).toBe('00:09:59;29');
    expect(frameToTimecode(17_982, r)).toBe('00:10:00;00');
    expect(frameToTimecode(17_983, r)).toBe('00:10:00;01');
    expect(frameToTimecode(19_781, r)).toBe('00:10:59;29');
    expect(frameToTimecode(19_782, r)).toBe('00:11:00;02');
    // One hour of 29.97 is 107,892 frames: drop-frame stays on the wall clock.
    expect(frameToTimecode(107_892, r)).toBe('01:00:00;00');
    expect(frameToTimecode(107_891, r)).toBe('00:59:59;29');
    expect(frameToTimecode(215_784, r)).toBe('02:00:00;00');
  });
  it('drops four labels a minute at 59.94', () => {
    const r = RATES['59.94'];
    expect(frameToTimecode(3599, r)).toBe('00:00:59;59');
    expect(frameToTimecode(3600, r)).toBe('00:01:00;04');
    expect(frameToTimecode(35_964, r)).toBe('00:10:00;00');
    expect(timecodeToFrame('00:01:00;04', r)).toBe(3600);
  });
  it('reads timecodes back, refusing labels drop-frame skips and malformed ones', () => {
    const r = RATES['29.97'];
    expect(timecodeToFrame('00:01:00;02', r)).toBe(1800);
    expect(timecodeToFrame('00:10:00;00', r)).toBe(17_982);
    expect(timecodeToFrame('00:01:00;00', r)).toBeNull();
    expect(timecodeToFrame('00:01:00;01', r)).toBeNull();
    expect(timecodeToFrame('00:00:00;30', r)).toBeNull();
    expect(timecodeToFrame('00:60:00:00', RATES['24'])).toBeNull();
    expect(timecodeToFrame('00:00:00:24', RATES['24'])).toBeNull();
    expect(timecodeToFrame('00:00:00:24', RATES['25'])).toBe(24);
    expect(timecodeToFrame('12:34', RATES['25'])).toBeNull();
  });
});

describe('clampFrame', () => {
  it('keeps a frame inside the clip and integral', () => {
    expect(clampFrame(-3, 120)).toBe(0);
    expect(clampFrame(130, 120)).toBe(119);
    expect(clampFrame(12.7, 120)).toBe(12);
    expect(clampFrame(500, null)).toBe(500);
  });
});
