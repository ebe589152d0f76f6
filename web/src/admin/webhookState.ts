// A webhook endpoint's state in words, from what the API says of it: turned off (by a producer, or by the
// server after failing, with its reason), paused by the circuit breaker until a time, failing, or active.
import type { components } from '../api/schema';
import { dateTime } from './format';

type Webhook = Pick<components['schemas']['Webhook'], 'active' | 'disabledAt' | 'disabledReason' | 'pausedUntil' | 'failingSince'>;

export function stateOf(h: Webhook, now = Date.now()): { text: string; tone: 'bad' | 'warn' | 'good' } {
  if (!h.active) {
    if (!h.disabledReason) return { text: 'Turned off', tone: 'bad' };
    return { text: `Turned off${h.disabledAt ? ` on ${dateTime(h.disabledAt)}` : ''} after failing: ${h.disabledReason}. Fix the receiver, then turn it on again.`, tone: 'bad' };
  }
  // A pause that has ended is not one (the API clears it at the next attempt, which may not have come yet).
  if (h.pausedUntil && Date.parse(h.pausedUntil) > now) {
    return { text: `Paused after failures: nothing is sent before ${dateTime(h.pausedUntil)}. A test delivery tries at once, and ends the pause if it succeeds.`, tone: 'warn' };
  }
  if (h.failingSince) return { text: `Deliveries failing since ${dateTime(h.failingSince)}; it is turned off if they keep failing for a day.`, tone: 'warn' };
  return { text: 'Active', tone: 'good' };
}
