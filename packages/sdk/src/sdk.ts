// The published entry of @keyward/sdk: what a provider's API needs to verify its callers.

export {
  type ClientOptions,
  createClient,
  KeywardApiError,
  type KeywardClient,
  KeywardUnreachableError,
} from './client.ts';
export type { ProviderErrorReport } from './provider/error-reporter.ts';
export {
  type Check,
  createKeyward,
  type Keyward,
  type KeywardOptions,
  type VerifyContext,
} from './provider/keyward.ts';
export { ApiProblem } from './provider/problems.ts';
export {
  errorAnswer,
  type HttpAnswer,
  type KeywardPrincipal,
  type ProtectOptions,
  type ProtectResult,
  protectRequest,
  type RequestFacts,
  rateLimitHeaders,
} from './provider/protect.ts';
export type { RateLimitState, RateLimitWindow, VerifyCode, VerifyResult } from './provider/wire.ts';
