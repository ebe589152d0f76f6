// Data transfer objects: the public shapes services return, events carry and controllers send. They sit
// below services so that events, caches and the realtime layer never import a service.
export * from './asset.dto';
export * from './audit.dto';
export * from './pipeline.dto';
export * from './render.dto';
export * from './review.dto';
export * from './studio.dto';
export * from './user.dto';
export * from './version.dto';
export * from './event.dto';
export * from './webhook.dto';
export * from './production.dto';
export * from './storage.dto';
