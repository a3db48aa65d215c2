import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { createDeps } from './deps.ts';
import type { App } from './types.ts';

const PURGE_INTERVAL_MS = 3_600_000;

export type RunningServer = {
  app: App;
  url: string;
  /** Set while the database has no users: the caller tells the operator (log line or banner). */
  setupCode: string | null;
  close: () => Promise<void>;
};

type StartOptions = { handleSignals?: boolean; logger?: Logger };

/** Starts Keyward: migrations, the HTTP server, housekeeping, and a clean stop on SIGINT/SIGTERM. */
export async function startServer(
  config: Config,
  { handleSignals = true, logger }: StartOptions = {},
): Promise<RunningServer> {
  const deps = await createDeps(config, logger ? { logger } : {});
  const app = await buildApp(deps);
  const address = await app.listen({ host: config.host, port: config.port });

  const purge = async () => {
    const cutoff = deps.now() - config.errorRetentionDays * 86_400_000;
    try {
      const removed = await deps.storage.errors.purge(cutoff);
      await deps.storage.sessions.purgeExpired(deps.now());
      // Secrets a rotation ended answer TOKEN_ROTATED as long as errors are kept, then unknown.
      await deps.storage.tokens.purgeEndedSecrets(cutoff);
      await deps.storage.idempotency.purge(deps.now());
      if (removed > 0) app.log.info({ removed }, 'purged old error records');
    } catch (error) {
      app.log.error({ err: error }, 'error-record purge failed');
    }
  };
  await purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  const checkpoint = async () => {
    try {
      await deps.audit.flush();
      await deps.auditCheckpoints.issueIfGrown();
    } catch (error) {
      app.log.error({ err: error }, 'audit checkpoint failed');
    }
  };
  await checkpoint();
  const checkpointTimer = setInterval(checkpoint, config.auditCheckpointIntervalSeconds * 1000);
  checkpointTimer.unref();
  deps.webhooks.start();
  deps.reminders.start();

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      clearInterval(timer);
      clearInterval(checkpointTimer);
      await deps.reminders.stop();
      await deps.webhooks.stop();
      await app.close();
      await checkpoint();
      await deps.rateLimits.close();
      await deps.invalidationBus?.close();
      await deps.storage.close();
    })();
    return closing;
  };
  if (handleSignals) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        app.log.info({ signal }, 'shutting down');
        close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  }
  return { app, url: address, setupCode: deps.setupCode, close };
}
