// What a platform does with its connected accounts: create them, hand out onboarding links, and
// move them through their lifecycle. Every function takes the platform's tenant-scoped client, so
// another platform's account is simply not found.
import type { TenantDb, TenantTx } from '../../db/tenant-scope.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import { Prisma, type ConnectedAccount } from '../../generated/prisma/client.ts';
import type { ConnectedAccountStatus, ConnectedAccountStatusReason } from '../../generated/prisma/enums.ts';
import { newId } from '../../core/ids.ts';
import { validateOrganizationName } from '../../organizations/service.ts';
import { optionalDisplayedName, validateMetadata } from '../../core/validation.ts';
import type { Actor } from '../../auth/actor.ts';
import type { UrlPolicy } from '../../core/secure-urls.ts';
import { byKey } from '../../events/record.ts';
import { recordAccountEvent } from './events.ts';
import { refreshAccountQueues } from '../../webhooks/queue/due.ts';
import { transitionReason, transitions, transitionTimestamps, type LifecycleAction } from './lifecycle.ts';
import { invalidateAccountLinks, issueOnboardingLink, linkDestinations, type IssuedAccountLink } from './links.ts';
import { requireConnectPlatform } from '../platform/service.ts';

export const PLATFORM_CUSTOMER_ID_MAX_LENGTH = 255;

export interface NewConnectedAccount {
  connectionType: 'STANDARD' | 'EXPRESS';
  email?: string | null | undefined;
  organizationName?: string | null | undefined;
  country?: string | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  platformCustomerId?: string | null | undefined;
  connectedOrganizationId?: string | null | undefined;
  /** Where the hosted page sends the user after onboarding (default: the platform's redirectUrl). */
  returnUrl?: URL | null | undefined;
  /** Where the hosted page sends a user whose link is expired, used or replaced. */
  refreshUrl?: URL | null | undefined;
}

export interface AccountWithLink {
  connectedAccount: ConnectedAccount;
  onboardingLink: IssuedAccountLink | null;
}

function expressAccountFields(input: NewConnectedAccount) {
  if (input.connectionType === 'STANDARD' || input.connectedOrganizationId) {
    throw new ValidationError(
      'STANDARD accounts are granted by an existing organization through the OAuth consent flow (configureConnectOAuth, then /oauth/authorize), not created directly.',
      ['input.connectionType'],
    );
  }
  if (!input.email) throw new ValidationError('input.email is required for an EXPRESS account.', ['input.email']);
  if (!input.organizationName) {
    throw new ValidationError('input.organizationName is required for an EXPRESS account.', ['input.organizationName']);
  }
  return {
    pendingEmail: input.email.toLowerCase(),
    pendingOrganizationName: validateOrganizationName(input.organizationName, 'input.organizationName'),
    pendingCountry: input.country ?? null,
    platformCustomerId: optionalDisplayedName(input.platformCustomerId, PLATFORM_CUSTOMER_ID_MAX_LENGTH, 'input.platformCustomerId'),
    metadata: validateMetadata(input.metadata, 'input.metadata'),
  };
}

/** An EXPRESS account, PENDING, with its first onboarding link. */
export async function createConnectedAccount(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  input: NewConnectedAccount,
): Promise<AccountWithLink> {
  const fields = expressAccountFields(input);
  const destinations = linkDestinations(input, urls);
  const platform = await requireConnectPlatform(db, actor);
  return db.$transaction(async (tx) => {
    const connectedAccount = await tx.connectedAccount.create({
      data: {
        id: newId('ConnectedAccount'),
        platformOrganizationId: actor.actingScope.organizationId,
        connectionType: 'EXPRESS',
        onboardingMode: 'EXPRESS',
        status: 'PENDING',
        ...fields,
      },
    });
    await recordAccountEvent(tx, 'connected_account.created', connectedAccount, byKey(actor));
    const onboardingLink = await issueOnboardingLink(tx, connectedAccount, platform.onboardingLinkTtlSeconds, actor.now, destinations);
    await recordAccountEvent(tx, 'connected_account.onboarding_link.created', connectedAccount, byKey(actor));
    return { connectedAccount, onboardingLink };
  });
}

/**
 * Locks the account's row for the rest of the transaction when its status allows the action, so
 * concurrent lifecycle changes, link regenerations and onboarding completions happen one at a time.
 * Returns the account as it was before.
 */
async function lockAccountFor(tx: TenantTx, id: string, allowed: readonly ConnectedAccountStatus[], what: string, now: Date) {
  const locked = await tx.connectedAccount.updateMany({ where: { id, status: { in: [...allowed] } }, data: { updatedAt: now } });
  const account = await tx.connectedAccount.findUnique({ where: { id } });
  if (!account) throw new NotFoundError(`No connected account ${id}.`);
  if (locked.count === 0) {
    throw new InvalidStateError(`Cannot ${what} a connected account that is ${account.status}.`);
  }
  return account;
}

export interface OnboardingLinkRequest {
  connectedAccountId: string;
  returnUrl?: URL | null | undefined;
  refreshUrl?: URL | null | undefined;
}

/**
 * A new onboarding link for a PENDING account; every earlier one stops working at once. Its
 * destinations are this call's (an earlier link's are not carried over: each link says its own).
 */
export async function regenerateOnboardingLink(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  request: OnboardingLinkRequest,
): Promise<AccountWithLink> {
  const destinations = linkDestinations(request, urls);
  const platform = await requireConnectPlatform(db, actor);
  return db.$transaction(async (tx) => {
    const connectedAccount = await lockAccountFor(
      tx,
      request.connectedAccountId,
      ['PENDING'],
      'regenerate the onboarding link of',
      actor.now,
    );
    const onboardingLink = await issueOnboardingLink(tx, connectedAccount, platform.onboardingLinkTtlSeconds, actor.now, destinations);
    await recordAccountEvent(tx, 'connected_account.onboarding_link.created', connectedAccount, byKey(actor));
    return { connectedAccount, onboardingLink };
  });
}

export interface ConnectedAccountChanges {
  id: string;
  /** Absent: kept. Null: cleared. Replaced as a whole (at most 50 keys, 8 KiB of JSON). */
  metadata?: Record<string, unknown> | null | undefined;
  platformCustomerId?: string | null | undefined;
}

/**
 * The platform's own fields of an account (metadata, platformCustomerId), in any status but
 * REVOKED, which is final (INVALID_STATE). Records `connected_account.updated`, with the previous
 * values, when something changed.
 */
export async function updateConnectedAccount(db: TenantDb, actor: Actor, changes: ConnectedAccountChanges): Promise<ConnectedAccount> {
  const data = {
    ...(changes.metadata !== undefined ? { metadata: validateMetadata(changes.metadata, 'input.metadata') ?? Prisma.DbNull } : {}),
    ...(changes.platformCustomerId !== undefined
      ? {
          platformCustomerId: optionalDisplayedName(
            changes.platformCustomerId,
            PLATFORM_CUSTOMER_ID_MAX_LENGTH,
            'input.platformCustomerId',
          ),
        }
      : {}),
  };
  return db.$transaction(async (tx) => {
    const before = await lockAccountFor(tx, changes.id, ['PENDING', 'ACTIVE', 'SUSPENDED'], 'update', actor.now);
    const after = await tx.connectedAccount.update({ where: { id: changes.id }, data });
    const changed =
      JSON.stringify([before.metadata, before.platformCustomerId]) !== JSON.stringify([after.metadata, after.platformCustomerId]);
    if (changed) await recordAccountEvent(tx, 'connected_account.updated', after, byKey(actor), before);
    return after;
  });
}

/**
 * suspend, reactivate or revoke; revoking also invalidates every link of the account. The actor is
 * the platform's key, or the connected organization's when it disconnects the platform. A
 * suspension or revocation keeps the platform's `reason` as the account's `statusReason`.
 */
export async function changeAccountStatus(
  db: TenantDb,
  actor: Pick<Actor, 'apiKeyId' | 'now'>,
  id: string,
  action: Exclude<LifecycleAction, 'complete'>,
  reason?: ConnectedAccountStatusReason | null,
): Promise<ConnectedAccount> {
  const transition = transitions[action];
  return db.$transaction(async (tx) => {
    const before = await lockAccountFor(tx, id, transition.from, action, actor.now);
    if (transition.to === 'REVOKED') await invalidateAccountLinks(tx, id, actor.now);
    const after = await tx.connectedAccount.update({
      where: { id },
      data: { status: transition.to, statusReason: transitionReason(action, reason), ...transitionTimestamps(action, actor.now) },
    });
    await recordAccountEvent(tx, transition.event, after, byKey(actor), before);
    // Its endpoints' queues sleep while it is not ACTIVE, and wake when it is again.
    await refreshAccountQueues(tx, id);
    return after;
  });
}
