// A webhook's state in words on the Webhooks page (web/src/admin/webhookState.ts): the circuit breaker's pause
// while it lasts, failing, turned off by hand or by the server with its reason, active.
import { describe, expect, it } from 'vitest';
import { stateOf } from '../src/admin/webhookState';
import { dateTime } from '../src/admin/format';

const NOW = Date.parse('2026-12-08T01:00:00Z');
const healthy = { active: true, disabledAt: null, disabledReason: null, pausedUntil: null, failingSince: null };

describe('a webhook\'s state in words', () => {
  it('says active when nothing is wrong', () => {
    expect(stateOf(healthy, NOW)).toEqual({ text: 'Active', tone: 'good' });
  });

  it('says paused after failures until when while the pause lasts, and that a test tries at once', () => {
    const until = '2026-12-08T01:05:00Z';
    expect(stateOf({ ...healthy, failingSince: '2026-12-08T00:50:00Z', pausedUntil: until }, NOW)).toEqual({
      text: `Paused after failures: nothing is sent before ${dateTime(until)}. A test delivery tries at once, and ends the pause if it succeeds.`,
      tone: 'warn',
    });
  });

  it('says failing (not paused) once the pause is over', () => {
    const since = '2026-12-08T00:50:00Z';
    expect(stateOf({ ...healthy, failingSince: since, pausedUntil: '2026-12-08T00:59:59Z' }, NOW).text).toBe(`Deliveries failing since ${dateTime(since)}; it is turned off if they keep failing for a day.`);
  });

  it('says turned off, with the server\'s reason and what to do when it was turned off after failing', () => {
    expect(stateOf({ ...healthy, active: false }, NOW)).toEqual({ text: 'Turned off', tone: 'bad' });
    const at = '2026-12-08T00:00:00Z';
    expect(stateOf({ ...healthy, active: false, disabledAt: at, disabledReason: 'every delivery failed for 24 hours' }, NOW).text)
      .toBe(`Turned off on ${dateTime(at)} after failing: every delivery failed for 24 hours. Fix the receiver, then turn it on again.`);
  });
});
