// The management API client alone (no Node built-ins), for browsers such as the console.
export * from './api.ts';
export * from './client.ts';
