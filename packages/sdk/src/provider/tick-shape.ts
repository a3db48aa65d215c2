// Keeps Node's nextTick entries' maps alive (core's module, ADR 0015); build.mjs bundles core's
// module in place of this one. Imported first by keyward.ts, before a provider's app allocates much.
import '@keyward/core/tick-shape';
