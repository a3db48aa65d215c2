export { createLeaseRateLimiter, type LeaseRateLimiterOptions } from './lease-rate-limiter.ts';
export { createMemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.ts';
export { createShareRateLimiter, shareOf } from './share-rate-limiter.ts';
export type { RateLimitBucket, RateLimiter } from './types.ts';
