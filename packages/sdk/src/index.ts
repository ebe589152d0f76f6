// The Studio API's TypeScript SDK: see README.md ("Clients: TypeScript SDK and CLI").
export * from './client';
export * from './errors';
export type { Credentials } from './auth';
export type { UploadOptions, UploadProgress, UploadResult } from './upload';
export type { DownloadOptions, DownloadProgress, DownloadResult } from './download';
export type { ServerEvents } from './realtime';
export type { paths, components, operations } from './generated/api';
