// The webhook queue (DeliveryQueue): endpoints' lanes as sorted sets in Redis (delivery ids scored by the
// time each may go; ties by id, which is creation order) and endpoints' turns as BullMQ jobs. Lanes make the
// next delivery of an endpoint, and how many it has waiting, one Redis call each instead of a query over the
// endpoint's deliveries. A turn claims the delivery it sends, so two turns of an endpoint (or a turn that a
// stalled worker still runs) never send the same one at once.
import type { Redis } from '../cache/redis';
import type { QueueBus } from '../queue/QueueBus';
import type { DeliveryQueue, EndpointTurn, LaneEntry } from '../../app/services/WebhookService';

/**
 * KEYS: a lane, its endpoint's pause (when it ends, ms). ARGV: 'NX' (keep a member's place) or '', '1' for a
 * probe (not held back by the pause) or '0', then score and id of each delivery. Answers the ids it placed
 * later than asked because of the pause, and the pause's end.
 */
const ENTER = `
local floor = 0
if ARGV[2] ~= '1' then floor = tonumber(redis.call('GET', KEYS[2]) or '0') end
local held = {}
for i = 3, #ARGV, 2 do
  local asked = tonumber(ARGV[i])
  local score = math.max(asked, floor)
  local added = 1
  if ARGV[1] == 'NX' then added = redis.call('ZADD', KEYS[1], 'NX', score, ARGV[i + 1]) else redis.call('ZADD', KEYS[1], score, ARGV[i + 1]) end
  if added == 1 and score > asked then held[#held + 1] = ARGV[i + 1] end
end
return {floor, held}`;

/** KEYS: a lane, its pause. ARGV: until (ms), how long to keep the pause (ms). Everything due before until is due then. */
const PAUSE = `
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[1], id) end
return #ids`;

/** KEYS: a lane, its pause. ARGV: now (ms). The pause ends and everything due later is due now. */
const RESUME = `
redis.call('DEL', KEYS[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[1], id) end
return #ids`;

/**
 * KEYS: a lane, its claims (delivery ids scored by when the claim lapses, on Redis's clock). ARGV: now (ms),
 * how many of the endpoint's deliveries may be claimed at once, claim lease (ms). Claims the first unclaimed
 * due delivery unless that many are claimed already: {id or false, how many more unclaimed are due}.
 */
const TAKE = `
local t = redis.call('TIME')
local clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', clock)
local held = redis.call('ZCARD', KEYS[2])
local due = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
if held >= tonumber(ARGV[2]) then return {false, math.max(due - held, 0)} end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, held + 1)
for _, id in ipairs(ids) do
  if not redis.call('ZSCORE', KEYS[2], id) then
    redis.call('ZADD', KEYS[2], clock + tonumber(ARGV[3]), id)
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
    return {id, math.max(due - held - 1, 0)}
  end
end
return {false, math.max(due - held, 0)}`;

export class WebhookQueue implements DeliveryQueue {
  constructor(
    private readonly bus: QueueBus,
    private readonly redis: Redis,
    /** REDIS_KEY_PREFIX: an endpoint's keys are `<prefix>webhooks:{<endpoint id>}:lane|claims|pause`. */
    private readonly prefix: string,
    /**
     * How long a claim holds without being settled: longer than an attempt can take (WEBHOOK_TIMEOUT_MS and
     * its MongoDB writes), so only a claim of a worker that died lapses, and its delivery goes again.
     */
    private readonly claimMs = 120_000,
  ) {}

  async turns(endpoints: Array<{ studioId: string; endpointId: string; slots: number }>): Promise<void> {
    await this.bus.enqueueMany('webhook.deliver', endpoints.flatMap((e) => Array.from({ length: e.slots }, (_, slot) => turnJob({ studioId: e.studioId, endpointId: e.endpointId, slot }))));
  }

  async turn(turn: EndpointTurn): Promise<void> {
    const job = turnJob(turn);
    await this.bus.enqueue('webhook.deliver', job.data, job.options);
  }

  async wake(endpoint: { studioId: string; endpointId: string }, delayMs: number): Promise<void> {
    await this.bus.enqueue('webhook.wake', { studioId: endpoint.studioId, endpointId: endpoint.endpointId }, { attempts: 3, backoffMs: 1000, delayMs });
  }

  async enter(entries: LaneEntry[], options: { keepPlace?: boolean; probe?: boolean } = {}): Promise<LaneEntry[]> {
    if (!entries.length) return [];
    const byLane = new Map<string, LaneEntry[]>();
    for (const e of entries) byLane.set(e.endpointId, [...(byLane.get(e.endpointId) ?? []), e]);
    const batch = this.redis.pipeline();
    for (const [endpointId, list] of byLane) {
      const args = list.flatMap((e) => [String(e.dueAt.getTime()), e.deliveryId]);
      batch.eval(ENTER, 2, this.lane(endpointId), this.pauseKey(endpointId), options.keepPlace ? 'NX' : '', options.probe ? '1' : '0', ...args);
    }
    const lanes = [...byLane.keys()];
    return resultsOf(await batch.exec()).flatMap((r, i) => {
      const [until, held] = r as [number, string[]];
      return held.map((deliveryId) => ({ endpointId: lanes[i]!, deliveryId, dueAt: new Date(until) }));
    });
  }

  async waiting(endpointIds: string[]): Promise<number[]> {
    if (!endpointIds.length) return [];
    const batch = this.redis.pipeline();
    for (const id of endpointIds) batch.zcard(this.lane(id));
    return resultsOf(await batch.exec()).map((r) => Number(r));
  }

  async take(endpointId: string, now: Date, limit: number): Promise<{ deliveryId: string | null; more: number }> {
    const [id, more] = (await this.redis.eval(TAKE, 2, this.lane(endpointId), this.claims(endpointId), String(now.getTime()), String(limit), String(this.claimMs))) as [string | null, number];
    return { deliveryId: id || null, more };
  }

  async settle(entry: { endpointId: string; deliveryId: string }, dueAt: Date | null): Promise<void> {
    const batch = this.redis.multi();
    if (dueAt) batch.zadd(this.lane(entry.endpointId), dueAt.getTime(), entry.deliveryId);
    else batch.zrem(this.lane(entry.endpointId), entry.deliveryId);
    batch.zrem(this.claims(entry.endpointId), entry.deliveryId);
    resultsOf(await batch.exec());
  }

  async release(entry: { endpointId: string; deliveryId: string }): Promise<void> {
    await this.redis.zrem(this.claims(entry.endpointId), entry.deliveryId);
  }

  async pause(endpointId: string, until: Date): Promise<void> {
    await this.redis.eval(PAUSE, 2, this.lane(endpointId), this.pauseKey(endpointId), String(until.getTime()), String(Math.max(1, until.getTime() - Date.now())));
  }

  async resume(endpointId: string, now: Date): Promise<void> {
    await this.redis.eval(RESUME, 2, this.lane(endpointId), this.pauseKey(endpointId), String(now.getTime()));
  }

  async clear(endpointId: string): Promise<void> {
    await this.redis.del(this.lane(endpointId), this.claims(endpointId), this.pauseKey(endpointId));
  }

  // One hash tag per endpoint, so a script's two keys live in one Redis Cluster slot.
  private lane(endpointId: string): string {
    return `${this.prefix}webhooks:{${endpointId}}:lane`;
  }

  private claims(endpointId: string): string {
    return `${this.prefix}webhooks:{${endpointId}}:claims`;
  }

  private pauseKey(endpointId: string): string {
    return `${this.prefix}webhooks:{${endpointId}}:pause`;
  }
}

/**
 * One waiting queue entry per endpoint slot; a turn asked for while that slot's turn runs is kept and queued
 * when it ends, so a delivery made mid-turn is never left without one. Retried on a passing failure (Redis
 * or MongoDB away for a moment) instead of waiting for the reconciler.
 */
function turnJob(t: EndpointTurn) {
  return { data: t, options: { attempts: 3, backoffMs: 1000, deduplication: { id: `webhook-turn:${t.endpointId}:${t.slot}`, keepLastIfActive: true } } };
}

/** A pipeline's results, or the first command's error. */
function resultsOf(results: Array<[Error | null, unknown]> | null): unknown[] {
  for (const [err] of results ?? []) if (err) throw err;
  return (results ?? []).map(([, r]) => r);
}
