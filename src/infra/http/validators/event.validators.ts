// Request and response schemas of /events and /webhooks; also their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { idParams, objectId, pageQuery, queryInt } from './common.validators';
import { EVENT_TYPES } from '../../../app/repositories/models/StudioEvent';
import { DELIVERY_STATUSES } from '../../../app/repositories/models/Webhook';

const eventNumber = queryInt(0, Number.MAX_SAFE_INTEGER);
export const eventsQuery = z.strictObject({
  after: eventNumber.default(0).openapi({ description: 'Events numbered after this (page.cursor of the previous page); 0: from the oldest kept' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const streamQuery = z.strictObject({
  after: eventNumber.optional().openapi({ description: 'Start after this event number (Last-Event-ID wins); omitted: only new events' }),
});

export const eventTypeEnum = z.enum(EVENT_TYPES);
/** https in production (WEBHOOK_ALLOW_HTTP), and never a private, loopback or metadata address (checked on the server). */
const webhookUrl = z.string().max(2048).regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');
export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  events: z.array(eventTypeEnum).min(1).max(EVENT_TYPES.length),
  description: z.string().trim().max(500).optional(),
  secret: z.string().min(24).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional().openapi({ description: 'The HMAC key; omitted: one is generated (shown once)' }),
});
export const updateWebhookBody = z
  .strictObject({ url: webhookUrl.optional(), events: z.array(eventTypeEnum).min(1).max(EVENT_TYPES.length).optional(), description: z.string().trim().max(500).optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'provide at least one of url, events, description, active')
  .openapi({ minProperties: 1 });
export const deliveriesQuery = pageQuery;
export const redeliverParams = z.strictObject({ id: objectId, deliveryId: objectId });

const EventSchema = apiRegistry.register(
  'StudioEvent',
  z.object({
    id: z.string(),
    seq: z.number().int(),
    type: z.string(),
    time: z.string(),
    studioId: z.string(),
    actorId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).openapi({ additionalProperties: {} }),
  }),
);
const WebhookSchema = apiRegistry.register(
  'Webhook',
  z.object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(eventTypeEnum),
    active: z.boolean(),
    failingSince: z.string().nullable(),
    pausedUntil: z.string().nullable().openapi({ description: 'After two failed attempts in a row nothing is sent before this time; it grows while the endpoint keeps failing, and a test event tries at once' }),
    lastDroppedAt: z.string().nullable().openapi({ description: 'When a delivery was last dropped because too many were already waiting (DROPPED in the delivery log; the event stays in GET /events)' }),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
const NewWebhookSchema = apiRegistry.register('NewWebhook', WebhookSchema.extend({ secret: z.string().openapi({ description: 'The signing secret: shown only in this answer' }) }));
const DeliverySchema = apiRegistry.register(
  'WebhookDelivery',
  z.object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventSeq: z.number().int(),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES).openapi({ description: 'DROPPED: never sent, because the endpoint already had the most deliveries allowed waiting' }),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastDurationMs: z.number().nullable(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  }),
);

apiRegistry.registerPath({
  method: 'get', path: '/events', operationId: 'listEvents', tags: ['integrations'], security: bearer, summary: 'The studio\'s event log after a cursor, oldest first',
  request: { query: eventsQuery },
  responses: {
    200: { description: 'A page of events', ...json(z.object({ data: z.array(EventSchema), page: z.object({ cursor: z.number().int(), hasMore: z.boolean() }) })) },
    ...errorResponses(400, 401, 403, 429),
  },
});
apiRegistry.registerPath({
  method: 'get', path: '/events/stream', operationId: 'streamEvents', tags: ['integrations'], security: bearer,
  summary: 'The event log followed live as Server-Sent Events (id: event number; resume with Last-Event-ID; heartbeat comments)',
  request: { query: streamQuery, headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,15}$/).optional() }) },
  responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } }, ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/webhooks', operationId: 'createWebhook', tags: ['integrations'], security: bearer, summary: 'Register a webhook endpoint (PRODUCER); its secret is shown once. At most WEBHOOK_MAX_ENDPOINTS_PER_STUDIO per studio (409 WEBHOOK_LIMIT_REACHED)',
  request: { body: jsonBody(createWebhookBody) },
  responses: { 201: { description: 'Registered', ...json(NewWebhookSchema) }, ...errorResponses(400, 401, 403, 409, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/webhooks', operationId: 'listWebhooks', tags: ['integrations'], security: bearer, summary: 'The studio\'s webhook endpoints (PRODUCER)',
  responses: { 200: { description: 'Endpoints', ...json(z.object({ data: z.array(WebhookSchema) })) }, ...errorResponses(401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/webhooks/{id}', operationId: 'getWebhook', tags: ['integrations'], security: bearer, summary: 'One webhook endpoint (PRODUCER)',
  request: { params: idParams },
  responses: { 200: { description: 'The endpoint', ...json(WebhookSchema) }, ...errorResponses(400, 401, 403, 404, 429) },
});
apiRegistry.registerPath({
  method: 'patch', path: '/webhooks/{id}', operationId: 'updateWebhook', tags: ['integrations'], security: bearer, summary: 'Change URL, events, description or active (turning it on again clears its failures)',
  request: { params: idParams, body: jsonBody(updateWebhookBody) },
  responses: { 200: { description: 'Updated', ...json(WebhookSchema) }, ...errorResponses(400, 401, 403, 404, 429) },
});
apiRegistry.registerPath({
  method: 'delete', path: '/webhooks/{id}', operationId: 'deleteWebhook', tags: ['integrations'], security: bearer, summary: 'Delete a webhook endpoint (PRODUCER)',
  request: { params: idParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/webhooks/{id}/deliveries', operationId: 'listWebhookDeliveries', tags: ['integrations'], security: bearer, summary: 'The endpoint\'s delivery log, newest first',
  request: { params: idParams, query: deliveriesQuery },
  responses: { 200: { description: 'A page of deliveries', ...json(z.object({ data: z.array(DeliverySchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 403, 404, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver', operationId: 'redeliverWebhook', tags: ['integrations'], security: bearer, summary: 'Send a delivery\'s event again, as a new delivery',
  request: { params: redeliverParams },
  responses: { 202: { description: 'Queued', ...json(DeliverySchema) }, ...errorResponses(400, 401, 403, 404, 409, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/webhooks/{id}/test', operationId: 'testWebhook', tags: ['integrations'], security: bearer, summary: 'Send a webhook.test event to this endpoint',
  request: { params: idParams },
  responses: { 202: { description: 'Queued', ...json(DeliverySchema) }, ...errorResponses(400, 401, 403, 404, 409, 429) },
});
