export * from './api.ts';
export * from './client.ts';
export * from './sdk.ts';
export * from './webhooks.ts';
