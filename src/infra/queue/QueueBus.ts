// BullMQ behind a small typed facade: enqueue(name, data, { jobId }), the render flow, and queue counts.
// jobId de-duplicates: enqueuing the same id twice while the first exists is a no-op.
import { FlowProducer, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { JOB_QUEUE, QUEUE_NAMES, type JobMap, type JobName, type QueueName } from './jobs';

/** BullMQ's lowest priority (2^21); larger values are refused. */
export const MAX_PRIORITY = 2_097_152;

export interface EnqueueOptions {
  jobId?: string;
  /** 1 is the highest priority (BullMQ semantics); omitted means normal. */
  priority?: number;
  attempts?: number;
  backoffMs?: number;
  delayMs?: number;
  /**
   * At most one waiting job per id (BullMQ deduplication): an add while one waits is a no-op; with
   * keepLastIfActive an add while one runs makes one more job when it finishes.
   */
  deduplication?: { id: string; keepLastIfActive?: boolean };
}

export interface QueueBusOptions {
  connection: ConnectionOptions;
  /** Redis key prefix for every queue, so environments and test files never share queues. */
  prefix: string;
  /** Connection trouble goes to the JSON log instead of BullMQ's console output. */
  onError?: (err: Error) => void;
}

const toJobOptions = (o: EnqueueOptions = {}): JobsOptions => ({
  jobId: o.jobId,
  priority: o.priority,
  attempts: o.attempts ?? 3,
  backoff: { type: 'exponential', delay: o.backoffMs ?? 1000 },
  delay: o.delayMs,
  deduplication: o.deduplication,
  // Keep a bounded history: enough for dashboards and debugging, never an unbounded Redis.
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
});

export class QueueBus {
  private readonly queues = new Map<QueueName, Queue>();
  private flows?: FlowProducer;

  constructor(private readonly options: QueueBusOptions) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.options.connection, prefix: this.options.prefix });
      q.on('error', (err) => this.options.onError?.(err));
      this.queues.set(name, q);
    }
    return q;
  }

  /** Several jobs of one name in one round trip (same de-duplication by jobId as enqueue). */
  async enqueueMany<K extends JobName>(name: K, jobs: Array<{ data: JobMap[K]; options?: EnqueueOptions }>): Promise<void> {
    if (!jobs.length) return;
    await this.queue(JOB_QUEUE[name]).addBulk(jobs.map((j) => ({ name, data: j.data, opts: toJobOptions(j.options) })));
  }

  async enqueue<K extends JobName>(name: K, data: JobMap[K], options?: EnqueueOptions): Promise<string> {
    const job = await this.queue(JOB_QUEUE[name]).add(name, data, toJobOptions(options));
    return job.id!;
  }

  /** A render: one parent job that runs after all chunk children have completed. */
  async enqueueRender(
    parent: { data: JobMap['render.finalize']; jobId: string; priority?: number },
    chunks: Array<{ data: JobMap['render.chunk']; jobId: string; priority?: number; attempts: number; backoffMs?: number }>,
  ): Promise<void> {
    if (!this.flows) {
      this.flows = new FlowProducer({ connection: this.options.connection, prefix: this.options.prefix });
      this.flows.on('error', (err) => this.options.onError?.(err));
    }
    await this.flows.add({
      name: 'render.finalize',
      queueName: JOB_QUEUE['render.finalize'],
      data: parent.data,
      opts: { ...toJobOptions({ jobId: parent.jobId, priority: parent.priority, attempts: 3 }) },
      children: chunks.map((c) => ({
        name: 'render.chunk',
        queueName: JOB_QUEUE['render.chunk'],
        data: c.data,
        // A chunk that fails for good fails its parent, so the render ends as FAILED rather than hanging.
        opts: { ...toJobOptions({ jobId: c.jobId, priority: c.priority ?? parent.priority, attempts: c.attempts, backoffMs: c.backoffMs }), failParentOnFailure: true },
      })),
    });
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (n) => [n, await this.queue(n).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children')] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows?.close();
  }
}
