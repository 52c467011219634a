// The process's hub of live events, as the GraphQL layer sees it: the context carries one
// (createContextFactory's `liveEvents`) and the `events` subscription opens its streams through it.
// The hub itself is a feature (src/events/live.ts); this is the shape the context depends on.
import type { TenantDb } from '../db/tenant-scope.ts';
import type { Event } from '../generated/prisma/client.ts';

export interface OpenSubscription {
  /** The caller's confined client: what it reads is exactly what `events` shows the caller. */
  db: TenantDb;
  /** Counted against the per-key limit. */
  apiKeyId: string;
  /** Counted against the per-organization limit: the caller's accountable organization. */
  accountableOrganizationId: string;
  /** Only these types; null for all. */
  types: string[] | null;
  /** Replay every event after this one first; null to start with what commits next. */
  after: string | null;
  /**
   * What the caller authenticated with: when the key (by its hash) or the account it acts for
   * changes (revoked, suspended...), the subscription ends and the client reconnects, authenticated
   * again like any request.
   */
  credentials: {
    keyHash: string | null;
    actingForAccountId: string | null;
    /** The account's row as the subscription was authorized with (JSON): a notification of a change it already saw keeps it open. */
    actingAsRow?: string | null;
    /** How long an account session has left: its stream ends then, like its requests. Null for an API key. */
    endsInMs?: number | null;
    /**
     * An account session's platform: when it changes its allowedOrigins the stream ends, as the
     * session's next request would be checked against the new ones (the page it came from may be gone).
     */
    sessionPlatformId?: string | null;
  };
}

export interface LiveEvents {
  /** Validates and reserves; the events come from the returned iterator until it is returned. */
  open(subscription: OpenSubscription): Promise<AsyncIterableIterator<Event>>;
  /** Open subscriptions in this process. */
  size(): number;
  /** Ends every open subscription (SERVICE_UNAVAILABLE: reconnect), refuses new ones, stops listening. */
  stop(): Promise<void>;
}
