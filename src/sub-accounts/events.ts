// What the events of a sub-account show: its public fields and the ids of its purposes and packages
// (so that `sub_account.updated` says when those changed), recorded with its platform, in the
// platform tenant that made it: a sandbox key never reads a production sub-account's events (nor do
// the sandbox's webhook endpoints receive them).
import { byKey, placeOfOrganizationObject, type EventPlace, type EventWriter } from '../events/record.ts';
import {
  accountPackageObject,
  apiKeyObject,
  permissiblePurposeObject,
  recordChange,
  subAccountObject,
  type SubAccountRow,
} from '../events/public-objects.ts';
import type { EventType } from '../events/event-types.ts';
import type { Actor } from '../auth/actor.ts';
import type { AccountPackage, ApiKey, PermissiblePurpose, SubAccount } from '../generated/prisma/client.ts';

/** What a sub-account read must include for its events: `include: withChoice`. */
export const withChoice = {
  purposes: { select: { permissiblePurposeId: true } },
  packages: { select: { accountPackageId: true } },
} as const;

/** A sub-account with the ids of its purposes and packages. */
export type SubAccountSnapshot = SubAccountRow;

type EventActor = Pick<Actor, 'apiKeyId' | 'actingAs'>;

type PlatformOf = Pick<SubAccount, 'platformOrganizationId' | 'platformTenantId'>;

/** Where a sub-account's events belong: its platform organization, in the platform tenant that made it. */
const placeOf = (subAccount: PlatformOf, actor: EventActor): EventPlace => ({
  ...placeOfOrganizationObject(subAccount.platformOrganizationId, actor),
  tenantId: subAccount.platformTenantId,
});

/** Records a change to the sub-account, which belongs with its platform tenant. */
export function recordSubAccountEvent(
  tx: EventWriter,
  type: EventType,
  actor: EventActor,
  after: SubAccountSnapshot,
  before?: SubAccountSnapshot,
) {
  return recordChange(tx, { type, show: subAccountObject, after, before, place: placeOf(after, actor), actor: byKey(actor) });
}

export function recordKeyEvent(
  tx: EventWriter,
  type: EventType,
  actor: EventActor,
  subAccount: PlatformOf & Pick<SubAccount, 'id'>,
  key: ApiKey,
) {
  const show = (row: ApiKey) => apiKeyObject(row, subAccount.id);
  return recordChange(tx, { type, show, after: key, place: placeOf(subAccount, actor), actor: byKey(actor) });
}

/** A package as its events show it: with the ids of its purposes (`include: withPurposes`). */
export const withPurposes = { purposes: { select: { permissiblePurposeId: true } } } as const;
export type PackageSnapshot = AccountPackage & { purposes: { permissiblePurposeId: string }[] };

type CatalogChange<Type, Row> = { type: Type; after: Row; before: Row };

/** Records a change to a permissible purpose of the platform tenant's catalog. */
export function recordPurposeEvent(
  tx: EventWriter,
  actor: EventActor,
  change: CatalogChange<'permissible_purpose.updated' | 'permissible_purpose.archived', PermissiblePurpose>,
) {
  return recordChange(tx, { ...change, show: permissiblePurposeObject, place: placeOf(change.after, actor), actor: byKey(actor) });
}

/** Records a change to a package of the platform tenant's catalog. */
export function recordPackageEvent(
  tx: EventWriter,
  actor: EventActor,
  change: CatalogChange<'account_package.updated' | 'account_package.archived', PackageSnapshot>,
) {
  return recordChange(tx, { ...change, show: accountPackageObject, place: placeOf(change.after, actor), actor: byKey(actor) });
}
