export { FIXED_WINDOW_SCRIPT, FIXED_WINDOW_SCRIPT_SHA } from './fixed-window-script.ts';
export { createMemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.ts';
export {
  createRedisRateLimiter,
  type RateLimiterMode,
  type RedisRateLimiter,
  type RedisRateLimiterOptions,
} from './redis-rate-limiter.ts';
export { createShareRateLimiter, shareOf } from './share-rate-limiter.ts';
export type { RateLimitBucket, RateLimiter } from './types.ts';
