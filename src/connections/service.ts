// Connections to third-party providers. Secrets go in encrypted (bound to tenant and connection id)
// and never come out through the API: only `openSecrets` decrypts, for the verification and the
// sync workers. Nor do they go anywhere new: moving settings.endpoint takes the whole secrets again
// (whoever may update a connection could otherwise send its stored key to a host they run). A tenant may hold several connections of a provider, named uniquely in any case.
import { byKey, placeOfRequest, recordEvent, type EventActor, type EventPlace, type EventWriter } from '../events/record.ts';
import { connectionObject, recordChange } from '../events/public-objects.ts';
import type { EventType } from '../events/event-types.ts';
import type { Actor } from '../auth/actor.ts';
import type { Prisma } from '../db/database.ts';
import { isRecordNotFound, isUniqueViolation } from '../db/prisma-errors.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { decryptSecret, encryptSecret } from '../crypto/encryption.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import type { Connection, Prisma as PrismaTypes } from '../generated/prisma/client.ts';
import type { ConnectionStatus, ProviderType } from '../generated/prisma/enums.ts';
import { newId } from '../core/ids.ts';
import { displayedName, validateMetadata } from '../core/validation.ts';
import type { AddressPolicy } from '../net/address-guard.ts';
import { checkedSecrets, secretHints, type SecretsDestination, type SecretsInput, type StoredSecrets } from './secrets.ts';
import { checkedSettings, storedSettings, type ConnectionSettingsInput } from './settings.ts';
import { verifyCredentials, type VerificationOutcome } from './verification.ts';
import { verificationSlot } from './verification-slots.ts';

const SYNCED_RESOURCES = ['plan', 'subscription', 'invoice', 'deal'] as const;
type Direction = { inbound?: boolean | null; outbound?: boolean | null } | null | undefined;
export type SyncConfigInput = Partial<Record<(typeof SYNCED_RESOURCES)[number], Direction>> | null | undefined;

export interface ConnectionInput {
  name?: string | null | undefined;
  secrets?: SecretsInput | null | undefined;
  settings?: ConnectionSettingsInput | null | undefined;
  syncConfig?: SyncConfigInput;
  metadata?: Record<string, unknown> | null | undefined;
}

/** What the connection rules need besides the database: the secrets' key ring and where requests may go. */
export interface ConnectionDependencies {
  keyRing: KeyRing;
  addressPolicy: AddressPolicy;
  /** How long a check may take (CONNECTION_VERIFY_TIMEOUT_MS). */
  verifyTimeoutMs: number;
}

/** Every resource, both directions, false unless given: the stored config is always complete. */
export function syncConfigOf(input: SyncConfigInput, current?: PrismaTypes.JsonValue) {
  const base = (current ?? {}) as Record<string, { inbound: boolean; outbound: boolean } | undefined>;
  return Object.fromEntries(
    SYNCED_RESOURCES.map((resource) => {
      const given = input?.[resource];
      return [
        resource,
        {
          inbound: given?.inbound ?? base[resource]?.inbound ?? false,
          outbound: given?.outbound ?? base[resource]?.outbound ?? false,
        },
      ];
    }),
  );
}

const associatedData = (tenantId: string, connectionId: string) => `connection:${tenantId}:${connectionId}`;

export function sealed(keyRing: KeyRing, tenantId: string, connectionId: string, secrets: StoredSecrets) {
  return {
    encryptedSecrets: encryptSecret(keyRing, JSON.stringify(secrets), associatedData(tenantId, connectionId)),
    secretKeyVersion: keyRing.current.version,
    secretHints: secretHints(secrets),
  };
}

/** The secrets of a connection row, in clear: for the provider checks and the sync workers only. */
export function openSecrets(keyRing: KeyRing, row: Pick<Connection, 'id' | 'tenantId' | 'encryptedSecrets'>): StoredSecrets | null {
  if (!row.encryptedSecrets) return null;
  return JSON.parse(decryptSecret(keyRing, row.encryptedSecrets, associatedData(row.tenantId, row.id))) as StoredSecrets;
}

/** The partial unique index on (tenantId, lower(name)) said no: another live connection has the name. */
export function conflictOnName(name: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) throw new ConflictError(`This tenant already has a connection named "${name}" (in some letter case).`);
    // The update holds only over the row read before it: a concurrent change (or deletion) came first.
    if (isRecordNotFound(error))
      throw new ConflictError('The connection changed (or was deleted) while this update ran: read it again and retry.');
    throw error;
  };
}

/** A connection in the tenant the actor acts in; `createdBy` is the actor's key. */
export async function createConnection(
  db: TenantDb,
  actor: Actor,
  deps: ConnectionDependencies,
  input: ConnectionInput & { name: string; providerType: ProviderType; secrets: SecretsInput },
): Promise<Connection> {
  const name = displayedName(input.name, 255, 'input.name');
  const settings = await checkedSettings(input.providerType, input.settings, undefined, deps.addressPolicy);
  const secrets = checkedSecrets(input.providerType, input.secrets, {}, settings);
  const metadata = validateMetadata(input.metadata, 'input.metadata');
  const id = newId('Connection');
  return db.$transaction(async (tx) => {
    const connection = await tx.connection
      .create({
        data: {
          id,
          tenantId: actor.actingScope.tenantId,
          name,
          providerType: input.providerType,
          status: 'PUBLISHED',
          ...sealed(deps.keyRing, actor.actingScope.tenantId, id, secrets),
          syncConfig: syncConfigOf(input.syncConfig),
          settings: { ...settings },
          ...(metadata ? { metadata } : {}),
          createdBy: actor.apiKeyId,
          updatedBy: actor.apiKeyId,
        },
      })
      .catch(conflictOnName(name));
    await recordConnectionEvent(tx, 'connection.created', actor, connection);
    return connection;
  });
}

async function liveConnection(db: TenantDb, id: string): Promise<Connection> {
  const connection = await db.connection.findUnique({ where: { id } });
  if (!connection) throw new NotFoundError(`No connection ${id}.`);
  if (connection.status === 'DELETED') throw new InvalidStateError(`Connection ${id} is deleted.`);
  return connection;
}

const MOVED_ENDPOINT =
  'settings.endpoint changes: the stored secrets are never sent to a new endpoint, so the same update must give all the secrets again';

/** The secrets of an update that moves the endpoint: all of them, none kept from storage. */
function secretsForNewEndpoint(
  providerType: ProviderType,
  given: SecretsInput | null | undefined,
  destination: SecretsDestination,
): StoredSecrets {
  if (!given) throw new ValidationError(`${MOVED_ENDPOINT} (input.secrets is missing).`, ['input.secrets']);
  try {
    return checkedSecrets(providerType, given, {}, destination);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`${MOVED_ENDPOINT}. ${error.message}`, error.fields);
    throw error;
  }
}

/**
 * Changes what is given. Secrets merge: the fields given replace their stored values, the others
 * stay (the provider's required fields must remain); settings merge the same way. A change of
 * settings.endpoint (to another URL or back to the provider's own) takes every secret again.
 */
export async function updateConnection(
  db: TenantDb,
  actor: Actor,
  deps: ConnectionDependencies,
  id: string,
  input: ConnectionInput,
): Promise<Connection> {
  const existing = await liveConnection(db, id);
  const name = input.name == null ? undefined : displayedName(input.name, 255, 'input.name');
  const stored = storedSettings(existing);
  const settings = input.settings ? await checkedSettings(existing.providerType, input.settings, stored, deps.addressPolicy) : undefined;
  const movesEndpoint = settings !== undefined && settings.endpoint !== stored.endpoint;
  // The secrets go where the settings point after this update.
  const destination = settings ?? stored;
  const secrets = movesEndpoint
    ? secretsForNewEndpoint(existing.providerType, input.secrets, destination)
    : input.secrets
      ? checkedSecrets(existing.providerType, input.secrets, openSecrets(deps.keyRing, existing) ?? {}, destination)
      : undefined;
  const metadata = validateMetadata(input.metadata, 'input.metadata');
  return db.$transaction(async (tx) => {
    const connection = await tx.connection
      .update({
        // Only over the secrets read above: a concurrent change would otherwise be lost by the merge.
        where: { id, status: { not: 'DELETED' }, ...(secrets ? { encryptedSecrets: existing.encryptedSecrets } : {}) },
        data: {
          ...(name ? { name } : {}),
          ...(secrets ? sealed(deps.keyRing, existing.tenantId, id, secrets) : {}),
          ...(input.syncConfig ? { syncConfig: syncConfigOf(input.syncConfig, existing.syncConfig) } : {}),
          ...(settings ? { settings: { ...settings } } : {}),
          ...(metadata ? { metadata } : {}),
          updatedBy: actor.apiKeyId,
        },
      })
      .catch(conflictOnName(name ?? existing.name));
    await recordConnectionEvent(tx, 'connection.updated', actor, connection, existing);
    return connection;
  });
}

const allowedFrom: Record<'archive' | 'unarchive' | 'delete', ConnectionStatus[]> = {
  archive: ['PUBLISHED'],
  unarchive: ['ARCHIVED'],
  delete: ['PUBLISHED', 'ARCHIVED'],
};

/** PUBLISHED → ARCHIVED → PUBLISHED; any → DELETED, which keeps the row and wipes the ciphertext. */
export async function changeConnectionStatus(
  db: TenantDb,
  actor: Actor,
  id: string,
  action: 'archive' | 'unarchive' | 'delete',
): Promise<Connection> {
  const existing = await db.connection.findUnique({ where: { id } });
  if (!existing) throw new NotFoundError(`No connection ${id}.`);
  const data =
    action === 'delete'
      ? { status: 'DELETED' as const, encryptedSecrets: null, secretKeyVersion: null, secretHints: {}, deletedAt: actor.now }
      : { status: action === 'archive' ? ('ARCHIVED' as const) : ('PUBLISHED' as const) };
  return db.$transaction(async (tx) => {
    // An archived connection keeps its name reserved: unarchiving cannot clash.
    const changed = await tx.connection.updateMany({
      where: { id, status: { in: allowedFrom[action] } },
      data: { ...data, updatedBy: actor.apiKeyId },
    });
    if (changed.count === 0) throw new InvalidStateError(`Cannot ${action} a connection that is ${existing.status}.`);
    const connection = await tx.connection.findUniqueOrThrow({ where: { id } });
    await recordConnectionEvent(tx, statusEvents[action], actor, connection, existing);
    return connection;
  });
}

const statusEvents = { archive: 'connection.archived', unarchive: 'connection.updated', delete: 'connection.deleted' } as const;

function recordConnectionEvent(tx: EventWriter, type: EventType, actor: Actor, after: Connection, before?: Connection) {
  return recordChange(tx, { type, show: connectionObject, after, before, place: placeOfRequest(actor), actor: byKey(actor) });
}

/**
 * Checks the stored credentials against the provider (outside any transaction: up to 5 s), then
 * records the health and its `connection.verification_*` event in one transaction. A result about
 * secrets that changed meanwhile is not recorded: the connection is returned as it now is.
 */
export async function recordVerification(
  db: TenantDb | Prisma,
  deps: ConnectionDependencies,
  connection: Connection,
  who: { actor: EventActor; place: EventPlace; now: () => Date },
): Promise<Connection> {
  const secrets = openSecrets(deps.keyRing, connection);
  const outcome: VerificationOutcome = secrets
    ? await verifyCredentials({
        providerType: connection.providerType,
        secrets,
        settings: storedSettings(connection),
        policy: deps.addressPolicy,
        timeoutMs: deps.verifyTimeoutMs,
      })
    : { status: 'NEEDS_REAUTH', error: 'no secrets are stored' };
  // The confined client is this same client with the tenant's rules applied: one way to write for both.
  return (db as Prisma).$transaction(async (tx) => {
    const changed = await tx.connection.updateMany({
      where: { id: connection.id, status: { not: 'DELETED' }, encryptedSecrets: connection.encryptedSecrets },
      data: { healthStatus: outcome.status, lastVerifiedAt: who.now(), lastError: outcome.error },
    });
    const after = await tx.connection.findUniqueOrThrow({ where: { id: connection.id } });
    if (changed.count === 0) return after;
    const type = outcome.status === 'HEALTHY' ? 'connection.verification_succeeded' : 'connection.verification_failed';
    await recordChange(tx, { type, show: connectionObject, after, before: connection, place: who.place, actor: who.actor });
    await recordHealthChange(tx, connection, after, who);
    return after;
  });
}

/**
 * `connection.health_changed`, when a check moved `health.status` (its `previous` holds the health
 * before): one event a platform can follow instead of every check's. Recorded wherever a check is
 * (verifyConnection, the background re-verification, the connection link's page), in its transaction.
 */
export async function recordHealthChange(
  tx: EventWriter,
  before: Connection,
  after: Connection,
  who: { actor: EventActor; place: EventPlace },
): Promise<void> {
  if (before.healthStatus === after.healthStatus) return;
  await recordEvent(tx, {
    type: 'connection.health_changed',
    objectId: after.id,
    data: { object: connectionObject(after), previous: { health: connectionObject(before).health } },
    place: who.place,
    actor: who.actor,
  });
}

/**
 * verifyConnection: a request's check, in the tenant it acts in. Refused (429 RATE_LIMITED) while
 * the connection is being checked, or beyond the checks in flight a tenant or the process may have.
 */
export async function verifyConnection(db: TenantDb, actor: Actor, deps: ConnectionDependencies, id: string): Promise<Connection> {
  const connection = await liveConnection(db, id);
  const release = verificationSlot({ id: connection.id, accountableOrganizationId: actor.accountableOrganizationId }, deps.verifyTimeoutMs);
  try {
    return await recordVerification(db, deps, connection, { actor: byKey(actor), place: placeOfRequest(actor), now: () => actor.now });
  } finally {
    release();
  }
}

/**
 * A connection's secrets in clear by id, for the workers that call the provider (through
 * `openSecrets`, like the credentials check). Never exposed through GraphQL, never logged.
 */
export async function readConnectionSecrets(prisma: Prisma, keyRing: KeyRing, connectionId: string): Promise<StoredSecrets | null> {
  const row = await prisma.connection.findUnique({
    where: { id: connectionId },
    select: { id: true, tenantId: true, encryptedSecrets: true },
  });
  return row ? openSecrets(keyRing, row) : null;
}

/**
 * Re-encrypts, under the newest key, up to `batchSize` connections still sealed with an older one.
 * Returns how many it did; call until it returns 0 (an interrupted run resumes where it stopped).
 */
export async function reencryptBatch(prisma: Prisma, keyRing: KeyRing, batchSize: number): Promise<number> {
  const rows = await prisma.connection.findMany({
    where: { secretKeyVersion: { lt: keyRing.current.version }, encryptedSecrets: { not: null } },
    select: { id: true, tenantId: true, encryptedSecrets: true, secretKeyVersion: true },
    orderBy: { id: 'asc' },
    take: batchSize,
  });
  for (const row of rows) {
    if (!row.encryptedSecrets) continue;
    const aad = associatedData(row.tenantId, row.id);
    const plaintext = decryptSecret(keyRing, row.encryptedSecrets, aad);
    // Only if nobody changed the secrets meanwhile (a concurrent update wrote them with the new key).
    await prisma.connection.updateMany({
      where: { id: row.id, encryptedSecrets: row.encryptedSecrets },
      data: { encryptedSecrets: encryptSecret(keyRing, plaintext, aad), secretKeyVersion: keyRing.current.version },
    });
  }
  return rows.length;
}

export async function pendingReencryption(prisma: Prisma, keyRing: KeyRing): Promise<number> {
  return prisma.connection.count({ where: { secretKeyVersion: { lt: keyRing.current.version }, encryptedSecrets: { not: null } } });
}
