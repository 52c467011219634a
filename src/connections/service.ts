// Connections to third-party providers. Secrets go in encrypted (bound to tenant and connection id)
// and never come out through the API: only `readConnectionSecrets` decrypts, for the sync workers.
import { byKey, placeOfRequest, type EventWriter } from '../events/record.ts';
import { connectionObject, recordChange } from '../events/public-objects.ts';
import type { EventType } from '../events/event-types.ts';
import type { Actor } from '../auth/actor.ts';
import type { Prisma } from '../db/database.ts';
import { isUniqueViolation } from '../db/prisma-errors.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { decryptSecret, encryptSecret } from '../crypto/encryption.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { ConflictError, InvalidStateError, NotFoundError } from '../core/domain-errors.ts';
import type { Connection, Prisma as PrismaTypes } from '../generated/prisma/client.ts';
import type { ConnectionStatus, ProviderType } from '../generated/prisma/enums.ts';
import { newId } from '../core/ids.ts';
import { displayedName, validateMetadata } from '../core/validation.ts';
import { secretHints, validateSecrets, type SecretsInput, type StoredSecrets } from './secrets.ts';

const SYNCED_RESOURCES = ['plan', 'subscription', 'invoice', 'deal'] as const;
type Direction = { inbound?: boolean | null; outbound?: boolean | null } | null | undefined;
export type SyncConfigInput = Partial<Record<(typeof SYNCED_RESOURCES)[number], Direction>> | null | undefined;

export interface ConnectionInput {
  name?: string | null | undefined;
  secrets?: SecretsInput | null | undefined;
  settings?: { invoiceSyncEnable?: boolean | null } | null | undefined;
  syncConfig?: SyncConfigInput;
  metadata?: Record<string, unknown> | null | undefined;
}


/** Every resource, both directions, false unless given: the stored config is always complete. */
function syncConfigOf(input: SyncConfigInput, current?: PrismaTypes.JsonValue) {
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

function sealed(keyRing: KeyRing, tenantId: string, connectionId: string, secrets: StoredSecrets) {
  return {
    encryptedSecrets: encryptSecret(keyRing, JSON.stringify(secrets), associatedData(tenantId, connectionId)),
    secretKeyVersion: keyRing.current.version,
    secretHints: secretHints(secrets),
  };
}

function conflictOnLiveProvider(providerType: ProviderType) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`This tenant already has a ${providerType} connection: update, or delete it first.`);
    }
    throw error;
  };
}

/** A connection in the tenant the actor acts in; `createdBy` is the actor's key. */
export async function createConnection(
  db: TenantDb,
  actor: Actor,
  keyRing: KeyRing,
  input: ConnectionInput & { name: string; providerType: ProviderType; secrets: SecretsInput },
): Promise<Connection> {
  const name = displayedName(input.name, 255, 'input.name');
  const secrets = validateSecrets(input.providerType, input.secrets);
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
        liveProviderType: input.providerType,
        status: 'PUBLISHED',
        ...sealed(keyRing, actor.actingScope.tenantId, id, secrets),
        syncConfig: syncConfigOf(input.syncConfig),
        settings: { invoiceSyncEnable: input.settings?.invoiceSyncEnable ?? false },
        ...(metadata ? { metadata } : {}),
        createdBy: actor.apiKeyId,
        updatedBy: actor.apiKeyId,
      },
    })
      .catch(conflictOnLiveProvider(input.providerType));
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

/** Changes what is given. New secrets replace the old ones; without them the stored ones stay untouched. */
export async function updateConnection(db: TenantDb, actor: Actor, keyRing: KeyRing, id: string, input: ConnectionInput): Promise<Connection> {
  const existing = await liveConnection(db, id);
  const name = input.name == null ? undefined : displayedName(input.name, 255, 'input.name');
  const secrets = input.secrets ? validateSecrets(existing.providerType, input.secrets) : undefined;
  const metadata = validateMetadata(input.metadata, 'input.metadata');
  return db.$transaction(async (tx) => {
    const connection = await tx.connection.update({
      where: { id, status: { not: 'DELETED' } },
      data: {
        ...(name ? { name } : {}),
        ...(secrets ? sealed(keyRing, existing.tenantId, id, secrets) : {}),
        ...(input.syncConfig ? { syncConfig: syncConfigOf(input.syncConfig, existing.syncConfig) } : {}),
        ...(input.settings?.invoiceSyncEnable != null ? { settings: { invoiceSyncEnable: input.settings.invoiceSyncEnable } } : {}),
        ...(metadata ? { metadata } : {}),
        updatedBy: actor.apiKeyId,
      },
    });
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
      ? { status: 'DELETED' as const, liveProviderType: null, encryptedSecrets: null, secretKeyVersion: null, secretHints: {}, deletedAt: actor.now }
      : { status: action === 'archive' ? ('ARCHIVED' as const) : ('PUBLISHED' as const) };
  return db.$transaction(async (tx) => {
    const changed = await tx.connection.updateMany({ where: { id, status: { in: allowedFrom[action] } }, data: { ...data, updatedBy: actor.apiKeyId } });
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
 * The one way to read a connection's secrets in clear, for the workers that call the provider.
 * Never exposed through GraphQL, never logged.
 */
export async function readConnectionSecrets(prisma: Prisma, keyRing: KeyRing, connectionId: string): Promise<StoredSecrets | null> {
  const row = await prisma.connection.findUnique({ where: { id: connectionId }, select: { tenantId: true, encryptedSecrets: true } });
  if (!row?.encryptedSecrets) return null;
  return JSON.parse(decryptSecret(keyRing, row.encryptedSecrets, associatedData(row.tenantId, connectionId))) as StoredSecrets;
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
