export * from './base62.ts';
export * from './errors.ts';
export * from './hashing.ts';
export * from './ids.ts';
export * from './roles.ts';
export * from './scopes.ts';
export * from './token-format.ts';
export * from './verify.ts';
