// The one typed map of job names to payloads, and which queue carries each.

export const QUEUE_NAMES = ['asset-pipeline', 'media', 'render', 'webhooks'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobMap {
  /** Orchestrates one version's pipeline: validate, previews, optional auto-render. */
  'pipeline.run': { studioId: string; assetId: string; version: number };
  /** Thumbnails and previews for a version (fresh uploads: high priority). */
  'media.preview': { studioId: string; assetId: string; version: number };
  /** Renders one chunk of frames of a RenderJob. */
  /** `run` is the render's run the chunk was queued for (absent on entries queued before it existed). */
  'render.chunk': { studioId: string; renderJobId: string; chunkIndex: number; run?: number };
  /** Parent of a render's chunks: encodes the preview movie and completes the RenderJob. */
  'render.finalize': { studioId: string; renderJobId: string };
  /**
   * One turn of one webhook endpoint: its next due delivery, one attempt. `slot` is which of the endpoint's
   * WEBHOOK_ENDPOINT_CONCURRENCY turns this is (at most one queue entry per slot). The `deliveryId` form is a
   * job queued before deliveries took turns per endpoint: it stands for a turn of that delivery's endpoint.
   */
  'webhook.deliver': { studioId: string; endpointId: string; slot: number } | { studioId: string; deliveryId: string };
  /** Gives an endpoint its turns again at a later time: a retry's back-off, or the end of its pause. */
  'webhook.wake': { studioId: string; endpointId: string };
}

export type JobName = keyof JobMap;

export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  'pipeline.run': 'asset-pipeline',
  'media.preview': 'media',
  'render.chunk': 'render',
  'render.finalize': 'render',
  'webhook.deliver': 'webhooks',
  'webhook.wake': 'webhooks',
};

export const jobsOf = (queue: QueueName): JobName[] => (Object.keys(JOB_QUEUE) as JobName[]).filter((n) => JOB_QUEUE[n] === queue);

/** The queue job id of a version's pipeline run: one per version, so a second start is a no-op. */
export const pipelineJobId = (assetId: string, version: number) => `pipeline.${assetId}.${version}`;
