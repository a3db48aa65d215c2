import { sql } from 'kysely';
import pg from 'pg';
import { UNCOUNTED } from './instrumented-dialect.ts';
import type { Db } from './transaction.ts';
import type { Notifications } from './types.ts';

const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 1_000;

/**
 * LISTEN/NOTIFY for one storage. The channel is named after the schema the connection works in
 * (configured, or the URL's search_path), so deployments that share a server but not a schema
 * (tests, tenants) never hear each other.
 */
export function createPgNotifications(db: Db, url: string, schema: string | undefined): Notifications {
  let channel: string | null = null;
  async function channelName(): Promise<string> {
    if (channel === null) {
      const { rows } = await sql<{
        name: string | null;
      }>`${sql.raw(UNCOUNTED)}select current_schema() as name`.execute(db);
      // PostgreSQL channel names are identifiers: at most 63 bytes.
      channel = `keyward_changes_${schema ?? rows[0]?.name ?? 'public'}`.slice(0, 63).replaceAll('"', '');
    }
    return channel;
  }
  return {
    channelName,
    async notify(payload) {
      await sql`${sql.raw(UNCOUNTED)}select pg_notify(${await channelName()}, ${payload})`.execute(db);
    },
    listen(onMessage, onState, applicationName = 'keyward-bus') {
      let closed = false;
      let client: pg.Client | null = null;
      let retryMs = RECONNECT_MIN_MS;
      let timer: NodeJS.Timeout | null = null;

      const lost = (error?: unknown) => {
        if (!client) return;
        const dead = client;
        client = null;
        dead.removeAllListeners();
        dead.on('error', () => {});
        dead.end().catch(() => {});
        onState(false, error);
        schedule();
      };
      const schedule = () => {
        if (closed || timer) return;
        timer = setTimeout(() => {
          timer = null;
          void connect();
        }, retryMs);
        retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
      };
      const connect = async () => {
        if (closed) return;
        const next = new pg.Client({
          connectionString: url,
          application_name: applicationName,
          ...(schema !== undefined && { options: `-c search_path=${schema}` }),
        });
        next.on('error', (error) => (client === next ? lost(error) : undefined));
        next.on('end', () => (client === next ? lost() : undefined));
        try {
          const name = await channelName();
          next.on('notification', (message) => {
            if (message.channel === name && message.payload !== undefined) onMessage(message.payload);
          });
          await next.connect();
          await next.query(`LISTEN "${name}"`);
        } catch (error) {
          next.removeAllListeners();
          next.on('error', () => {});
          next.end().catch(() => {});
          onState(false, error);
          schedule();
          return;
        }
        if (closed) {
          await next.end().catch(() => {});
          return;
        }
        client = next;
        retryMs = RECONNECT_MIN_MS;
        onState(true);
      };
      void connect();
      return {
        async close() {
          closed = true;
          if (timer) clearTimeout(timer);
          const last = client;
          client = null;
          if (last) {
            last.removeAllListeners();
            last.on('error', () => {});
            await last.end().catch(() => {});
          }
        },
      };
    },
  };
}
