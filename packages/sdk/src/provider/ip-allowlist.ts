// Keyward's own allowlist rule; build.mjs bundles core's module in place of this one (no dependency).
export { addressAllowed } from '@keyward/core/ip-allowlist';
