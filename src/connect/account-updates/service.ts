// Account update links: a platform sends the user of an ACTIVE express account to the hosted page
// where they sign in and edit their business details (Stripe's `account_update` link). Single use,
// 15 minutes; a new one replaces the account's earlier update links and never its onboarding links.
import type { TenantDb, TenantTx } from '../../db/tenant-scope.ts';
import { InvalidStateError, NotFoundError } from '../../core/domain-errors.ts';
import type { Actor } from '../../auth/actor.ts';
import type { UrlPolicy } from '../../core/secure-urls.ts';
import { byKey } from '../../events/record.ts';
import { recordAccountEvent } from '../accounts/events.ts';
import { issueAccountLink, linkDestinations, type IssuedAccountLink } from '../accounts/links.ts';

/** Short, as Stripe's account links: the link is opened right after the platform makes it. */
export const ACCOUNT_UPDATE_LINK_TTL_SECONDS = 15 * 60;

export const accountUpdateUrl = (publicUrl: string, token: string) => `${publicUrl}/account-update/${token}`;

export interface NewAccountUpdateLink {
  connectedAccountId: string;
  returnUrl?: URL | null | undefined;
  refreshUrl?: URL | null | undefined;
}

/**
 * Locks the account's row (the order every Connect write uses) when it is an ACTIVE express
 * account: only those have business details this server holds and an organization to sign in to.
 */
async function lockUpdatableAccount(tx: TenantTx, id: string, now: Date) {
  const locked = await tx.connectedAccount.updateMany({
    where: { id, status: 'ACTIVE', connectionType: 'EXPRESS' },
    data: { updatedAt: now },
  });
  const account = await tx.connectedAccount.findUnique({ where: { id } });
  if (!account) throw new NotFoundError(`No connected account ${id}.`);
  if (locked.count === 1) return account;
  if (account.connectionType !== 'EXPRESS') {
    throw new InvalidStateError(
      'A STANDARD account belongs to an existing organization, which keeps its own details: update links are for EXPRESS accounts.',
    );
  }
  throw new InvalidStateError(`Cannot create an update link for a connected account that is ${account.status}: it must be ACTIVE.`);
}

export async function createAccountUpdateLink(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  input: NewAccountUpdateLink,
): Promise<IssuedAccountLink> {
  const destinations = linkDestinations(input, urls);
  return db.$transaction(async (tx) => {
    const account = await lockUpdatableAccount(tx, input.connectedAccountId, actor.now);
    const issued = await issueAccountLink(
      tx,
      account,
      { kind: 'ACCOUNT_UPDATE', ttlSeconds: ACCOUNT_UPDATE_LINK_TTL_SECONDS, destinations },
      actor.now,
    );
    await recordAccountEvent(tx, 'connected_account.update_link.created', account, byKey(actor));
    return issued;
  });
}
