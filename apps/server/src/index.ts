export { buildApp, VERSION } from './app.ts';
export { CONFIG_ENV_NAMES, type Config, ConfigError, loadConfig } from './config.ts';
export { createDeps, createLogger } from './deps.ts';
export { type RunningServer, startServer } from './main.ts';
export { loadPepperRing } from './pepper.ts';
export { type BootstrapResult, bootstrap } from './services/bootstrap.ts';
export type { App, Deps, Principal } from './types.ts';
