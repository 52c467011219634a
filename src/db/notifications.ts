// PostgreSQL LISTEN, kept alive. On a server, one dedicated connection (not from the pool) listens
// and reconnects with backoff when it is lost; every loss is reported, because whoever relies on
// the notifications (the caller caches) must stop trusting what it holds until they flow again.
import pg from 'pg';

export interface NotificationHandlers {
  message(payload: string): void;
  /** false: notifications may have been missed (connection lost); true: listening (again). */
  listening(up: boolean): void;
}

/** Starts listening on a channel; resolves with the function that stops. */
export type Listen = (channel: string, handlers: NotificationHandlers) => Promise<() => Promise<void>>;

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

export function listenOnPostgres(url: string): Listen {
  return async (channel, handlers) => {
    let current: pg.Client | null = null;
    let stopped = false;
    let retry: NodeJS.Timeout | null = null;
    let delayMs = FIRST_RETRY_MS;

    const scheduleReconnect = () => {
      if (stopped) return;
      retry = setTimeout(() => void connect(), delayMs);
      retry.unref();
      delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
    };
    const lost = (client: pg.Client) => {
      if (current !== client) return;
      current = null;
      handlers.listening(false);
      client.end().catch(() => {});
      scheduleReconnect();
    };
    async function connect() {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000, keepAlive: true });
      client.on('notification', (notification) => {
        if (notification.channel === channel) handlers.message(notification.payload ?? '');
      });
      client.on('error', () => lost(client));
      client.on('end', () => lost(client));
      try {
        await client.connect();
        await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      } catch {
        client.end().catch(() => {});
        scheduleReconnect();
        return;
      }
      if (stopped) {
        await client.end().catch(() => {});
        return;
      }
      current = client;
      delayMs = FIRST_RETRY_MS;
      handlers.listening(true);
    }

    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const client = current;
      current = null;
      await client?.end().catch(() => {});
    };
  };
}
