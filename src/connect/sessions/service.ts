// Account sessions, as the platform mints and revokes them (API.md, Account sessions): a short-lived
// browser credential for one of its EXPRESS accounts, limited to the components it names. Only the
// platform's own production keys mint (connectField: never while acting, never a sub-account's or a
// sandbox key, never a session). The secret is shown once and stored as its SHA-256.
import type { TenantDb } from '../../db/tenant-scope.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import type { Actor } from '../../auth/actor.ts';
import type { AccountSession, ConnectedAccount } from '../../generated/prisma/client.ts';
import type { AccountSessionComponent } from '../../generated/prisma/enums.ts';
import { newId } from '../../core/ids.ts';
import { byKey } from '../../events/record.ts';
import { issueSessionSecret } from '../../auth/account-session-secrets.ts';
import { usableComponents } from '../../auth/session-components.ts';
import { recordAccountEvent } from '../accounts/events.ts';
import { requireConnectPlatform } from '../platform/service.ts';

/** As Stripe's account sessions: the page asks its platform for a new one when it ends. */
export const ACCOUNT_SESSION_TTL_MS = 30 * 60 * 1000;
/**
 * Ended sessions stay a day (the platform can still read one by id), then go with the platform's next
 * mint: a page load mints one, so rows would pile up, each with what its onboarding gathered.
 */
const KEPT_AFTER_CREATION_MS = 24 * 60 * 60 * 1000 + ACCOUNT_SESSION_TTL_MS;

export interface NewAccountSession {
  connectedAccountId: string;
  components: readonly AccountSessionComponent[];
}

export interface MintedAccountSession {
  session: AccountSession;
  /** `acs_secret_…`, returned to the platform exactly once. */
  clientSecret: string;
}

function validComponents(components: readonly AccountSessionComponent[]): AccountSessionComponent[] {
  if (components.length === 0) throw new ValidationError('input.components must name at least one component.', ['input.components']);
  if (new Set(components).size !== components.length) {
    throw new ValidationError('input.components names a component twice.', ['input.components']);
  }
  return [...components];
}

/**
 * What the account's state allows: at least one component usable now. The others are granted but
 * inert until the account is in their state (each request asks again), so a page that always mounts
 * the same components needs no rule of its own: ACCOUNT_ONBOARDING on an ACTIVE account opens
 * nothing, and a session minted while PENDING goes on working once the account is ACTIVE.
 */
function assertComponentsFit(account: ConnectedAccount, components: AccountSessionComponent[]): void {
  if (account.connectionType !== 'EXPRESS') {
    throw new InvalidStateError('Account sessions are for EXPRESS accounts: a STANDARD account has its own organization and keys.');
  }
  if (usableComponents(components, account).length === 0) {
    throw new InvalidStateError(`None of these components works for an account that is ${account.status}.`);
  }
}

export async function createAccountSession(db: TenantDb, actor: Actor, input: NewAccountSession): Promise<MintedAccountSession> {
  const components = validComponents(input.components);
  const platform = await requireConnectPlatform(db, actor);
  if (platform.allowedOrigins.length === 0) {
    throw new InvalidStateError('Name the origins of your pages first: updateConnectPlatform(input: { allowedOrigins }).');
  }
  const { secret, secretHash } = issueSessionSecret();
  return db.$transaction(async (tx) => {
    // The account's row is locked first, the order every Connect write uses: a concurrent suspension
    // either comes before (refused here) or after (and ends the session).
    await tx.connectedAccount.updateMany({ where: { id: input.connectedAccountId }, data: { updatedAt: actor.now } });
    const account = await tx.connectedAccount.findUnique({ where: { id: input.connectedAccountId } });
    if (!account) throw new NotFoundError(`No connected account ${input.connectedAccountId}.`);
    assertComponentsFit(account, components);
    const session = await tx.accountSession.create({
      data: {
        id: newId('AccountSession'),
        platformOrganizationId: actor.actingScope.organizationId,
        connectedAccountId: account.id,
        apiKeyId: actor.apiKeyId,
        components,
        secretHash,
        expiresAt: new Date(actor.now.getTime() + ACCOUNT_SESSION_TTL_MS),
      },
    });
    await recordAccountEvent(tx, 'connected_account.session.created', account, byKey(actor));
    await tx.accountSession.deleteMany({ where: { createdAt: { lt: new Date(actor.now.getTime() - KEPT_AFTER_CREATION_MS) } } });
    return { session, clientSecret: secret };
  });
}

/** Ends the session at once, in every process (the database names it on AUTH_CHANNEL). Revoking twice is harmless. */
export async function revokeAccountSession(db: TenantDb, actor: Actor, id: string): Promise<AccountSession> {
  return db.$transaction(async (tx) => {
    const found = await tx.accountSession.findUnique({ where: { id }, include: { connectedAccount: true } });
    if (!found) throw new NotFoundError(`No account session ${id}.`);
    const { connectedAccount, ...session } = found;
    if (session.revokedAt) return session;
    const revoked = await tx.accountSession.update({ where: { id }, data: { revokedAt: actor.now } });
    await recordAccountEvent(tx, 'connected_account.session.revoked', connectedAccount, byKey(actor));
    return revoked;
  });
}
