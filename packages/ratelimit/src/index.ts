export { GCRA_SCRIPT, GCRA_SCRIPT_SHA } from './gcra-script.ts';
export { createMemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.ts';
export {
  createRedisRateLimiter,
  type RateLimiterMode,
  type RedisRateLimiter,
  type RedisRateLimiterOptions,
} from './redis-rate-limiter.ts';
export type { RateLimitBucket, RateLimiter } from './types.ts';
