// The public side of a connection link: the hosted page checks the link, signs in a member of the
// tenant's organization (the token is the first credential, the member's password the second: a
// leaked link alone connects nothing), checks the typed credentials against the provider, and only
// when the provider accepts them stores them (a new connection, or a reconnect's replaced secrets)
// and consumes the link, in one transaction. The secrets go from the form to the provider's check
// and the cipher: never into a URL, a log line, an event or an answer.
import { InvalidCredentialsError, LinkExpiredError, LinkInvalidError, LinkUsedError, ValidationError } from '../core/domain-errors.ts';
import { INVALID_CREDENTIALS_MESSAGE, signIn } from '../auth/sign-in.ts';
import type { TokenSource } from '../auth/token-lookups.ts';
import { newId } from '../core/ids.ts';
import { linkTokenHash, randomBase62, sha256Hex } from '../crypto/tokens.ts';
import type { Prisma } from '../db/database.ts';
import type { Connection, ConnectionLink } from '../generated/prisma/client.ts';
import { connectionObject, recordChange } from '../events/public-objects.ts';
import type { EventActor, EventPlace } from '../events/record.ts';
import { isOrganizationMember } from '../organizations/service.ts';
import { checkedSecrets, GENERIC_MEMBER, type SecretsInput } from './secrets.ts';
import { checkedSettings, storedSettings, type ConnectionSettingsInput } from './settings.ts';
import { verifyCredentials, type VerificationOutcome } from './verification.ts';
import { verificationSlot } from './verification-slots.ts';
import { providers } from './providers/registry.ts';
import { conflictOnName, recordHealthChange, sealed, syncConfigOf, type ConnectionDependencies } from './service.ts';

/**
 * Credentials a link may have refused before it is spent: enough for typos, too few to use the page
 * as a way to try keys against a provider (each refusal also waits on the provider's answer).
 */
export const MAX_REFUSED_CHECKS = 10;

/** The browser session's secret, in the page's cookie: as strong as the link's token. */
const SESSION_SECRET_PATTERN = /^[0-9A-Za-z]{43}$/;

/** The token's link when it can be used now; else LINK_USED, LINK_EXPIRED or LINK_INVALID. */
export async function usableConnectionLink(prisma: Prisma, token: string, now: Date): Promise<ConnectionLink> {
  const tokenHash = linkTokenHash(token);
  const link = tokenHash ? await prisma.connectionLink.findUnique({ where: { tokenHash } }) : null;
  if (!link) throw new LinkInvalidError('This connection link is not valid.');
  if (link.usedAt) throw new LinkUsedError('This connection link was already used.');
  if (link.refusedChecks >= MAX_REFUSED_CHECKS)
    throw new LinkUsedError('This connection link was used up by credentials the provider refused.');
  if (link.expiresAt.getTime() <= now.getTime()) throw new LinkExpiredError('This connection link has expired.');
  // The account suspended or revoked since: its platform may no longer act for it, nor its link.
  if (link.connectedAccountId) {
    const account = await prisma.connectedAccount.findUnique({ where: { id: link.connectedAccountId }, select: { status: true } });
    if (account?.status !== 'ACTIVE') throw new LinkInvalidError('This connection link is no longer valid.');
  }
  if (link.connectionId) {
    const connection = await prisma.connection.findUnique({ where: { id: link.connectionId }, select: { status: true } });
    if (!connection || connection.status === 'DELETED') throw new LinkInvalidError('This connection link is no longer valid.');
  }
  return link;
}

/** For a link that cannot be used: where its refreshUrl sends the browser, and whose brand a page would wear. */
export async function deadConnectionLink(prisma: Prisma, token: string) {
  const tokenHash = linkTokenHash(token);
  const link = tokenHash
    ? await prisma.connectionLink.findUnique({
        where: { tokenHash },
        select: { refreshUrl: true, platformOrganizationId: true, organizationId: true },
      })
    : null;
  return link ? { refreshUrl: link.refreshUrl, brandOrganizationId: link.platformOrganizationId ?? link.organizationId } : null;
}

/** The page wears the brand of who sent the person there: the platform, or the organization itself. */
export const brandOrganizationOf = (link: ConnectionLink) => link.platformOrganizationId ?? link.organizationId;

/**
 * A member of the tenant's organization signs in (counted per e-mail, client and link, like every
 * sign-in); returns the session's secret. The link holds one session: a new sign-in replaces it.
 */
export async function signInToConnectionLink(
  prisma: Prisma,
  source: TokenSource,
  link: ConnectionLink,
  credentials: { email: string; password: string },
): Promise<string> {
  const user = await signIn(prisma, source.limits, { ...credentials, client: source.client, linkId: link.id });
  if (!user || !(await isOrganizationMember(prisma, link.organizationId, user.id))) {
    throw new InvalidCredentialsError(INVALID_CREDENTIALS_MESSAGE);
  }
  const secret = randomBase62(43);
  await prisma.connectionLink.update({ where: { id: link.id }, data: { sessionSecretHash: sha256Hex(secret), sessionUserId: user.id } });
  return secret;
}

/** "Not you?": the link's session ends, whichever browser holds it. */
export async function signOutOfConnectionLink(prisma: Prisma, link: ConnectionLink): Promise<void> {
  await prisma.connectionLink.update({ where: { id: link.id }, data: { sessionSecretHash: null, sessionUserId: null } });
}

/** The signed-in member the cookie names, while they still belong to the organization; else null. */
export async function signedInMember(prisma: Prisma, link: ConnectionLink, secret: string | null) {
  if (!secret || !SESSION_SECRET_PATTERN.test(secret) || !link.sessionUserId || link.sessionSecretHash !== sha256Hex(secret)) return null;
  if (!(await isOrganizationMember(prisma, link.organizationId, link.sessionUserId))) return null;
  return prisma.user.findUnique({ where: { id: link.sessionUserId }, select: { id: true, email: true } });
}

/** What the page posts: the secrets' fields and the settings it asks for, by their names on the form. */
export interface ConnectionLinkForm {
  secrets: Record<string, string | null>;
  settings: ConnectionSettingsInput;
}

/** The provider did not accept the credentials: nothing was saved. */
export class CredentialsRefusedError extends Error {
  constructor(
    readonly outcome: VerificationOutcome,
    readonly providerLabel: string,
  ) {
    super(outcome.error ?? 'refused');
  }
}

/** `input.secrets.s3.awsAccessKeyId` → `awsAccessKeyId`, `input.settings.bucket` → `bucket`: the page's names. */
function onTheForm(error: ValidationError, secretNames: string[]): ValidationError {
  const fields = error.fields.flatMap((path) =>
    path.endsWith(`.${GENERIC_MEMBER}.data`) ? secretNames : [path.split('.').at(-1) ?? path],
  );
  return new ValidationError(error.message, fields);
}

function secretsInputOf(link: ConnectionLink, given: Record<string, string | null>): SecretsInput {
  const shape = providers[link.providerType].secrets;
  const values = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== null));
  return shape.kind === 'fields' ? { [shape.member]: values } : { [GENERIC_MEMBER]: { data: values } };
}

/**
 * Checks the form, then the credentials against the provider (outside any transaction: up to the
 * check's deadline), and only when the provider accepts them saves them: the whole secrets are
 * replaced, never merged with what a reconnect finds stored. Throws ValidationError (under the
 * form's field names) or CredentialsRefusedError, and saves nothing then. Returns where the
 * browser goes: the link's returnUrl with `connection_id`.
 */
export async function connectFromLink(
  prisma: Prisma,
  deps: ConnectionDependencies,
  link: ConnectionLink,
  userId: string,
  form: ConnectionLinkForm,
  now: () => Date,
): Promise<string> {
  const provider = providers[link.providerType];
  const secretNames = Object.keys(provider.form.secrets);
  const existing = link.connectionId ? await prisma.connection.findUniqueOrThrow({ where: { id: link.connectionId } }) : null;
  let secrets: ReturnType<typeof checkedSecrets>;
  let settings: Awaited<ReturnType<typeof checkedSettings>>;
  try {
    secrets = checkedSecrets(link.providerType, secretsInputOf(link, form.secrets));
    settings = await checkedSettings(link.providerType, form.settings, existing ? storedSettings(existing) : undefined, deps.addressPolicy);
  } catch (error) {
    if (error instanceof ValidationError) throw onTheForm(error, secretNames);
    throw error;
  }
  const [accountable] = await prisma.$queryRaw<{ id: string }[]>`SELECT accountable_organization(${link.tenantId}) AS "id"`;
  const release = verificationSlot(
    { id: link.connectionId ?? link.id, accountableOrganizationId: accountable?.id ?? link.organizationId },
    deps.verifyTimeoutMs,
  );
  let outcome: VerificationOutcome;
  try {
    outcome = await verifyCredentials({
      providerType: link.providerType,
      secrets,
      settings,
      policy: deps.addressPolicy,
      timeoutMs: deps.verifyTimeoutMs,
    });
  } finally {
    release();
  }
  if (outcome.status !== 'HEALTHY') {
    await prisma.connectionLink.update({ where: { id: link.id }, data: { refusedChecks: { increment: 1 } } });
    throw new CredentialsRefusedError(outcome, provider.label);
  }
  const connectionId = await saveVerified(prisma, deps, link, { userId, secrets, settings, existing, now: now() });
  const destination = new URL(link.returnUrl);
  destination.searchParams.set('connection_id', connectionId);
  return destination.href;
}

interface VerifiedCredentials {
  userId: string;
  secrets: ReturnType<typeof checkedSecrets>;
  settings: Awaited<ReturnType<typeof checkedSettings>>;
  existing: Connection | null;
  now: Date;
}

/** Where the page's changes belong: the tenant, and the account its platform made the link for (it sees them as its own). */
const placeOfLink = (link: ConnectionLink): EventPlace => ({
  organizationId: link.organizationId,
  tenantId: link.tenantId,
  connectedAccountId: link.connectedAccountId,
  platformOrganizationId: link.platformOrganizationId,
});

/** Claims the link and writes the checked secrets, in one transaction: of two submissions, the second finds the link used. */
async function saveVerified(prisma: Prisma, deps: ConnectionDependencies, link: ConnectionLink, verified: VerifiedCredentials) {
  const { userId, secrets, settings, existing, now } = verified;
  const actor: EventActor = { type: 'USER', id: userId };
  const place = placeOfLink(link);
  const health = { healthStatus: 'HEALTHY' as const, lastVerifiedAt: now, lastError: null };
  return prisma.$transaction(async (tx) => {
    const claimed = await tx.connectionLink.updateMany({
      where: { id: link.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now, sessionSecretHash: null },
    });
    // Used by another submission, or expired, while the provider was asked: the page answers as for any dead link.
    if (claimed.count === 0) throw new LinkInvalidError('This connection link can no longer be used.');
    if (existing) {
      const connection = await tx.connection
        .update({
          // Only the connection the link was made for, as it was read: a concurrent change or deletion wins.
          where: { id: existing.id, status: { not: 'DELETED' }, updatedAt: existing.updatedAt },
          data: {
            ...sealed(deps.keyRing, existing.tenantId, existing.id, secrets),
            settings: { ...settings },
            ...health,
            updatedBy: userId,
          },
        })
        .catch(conflictOnName(existing.name));
      await recordChange(tx, { type: 'connection.updated', show: connectionObject, after: connection, before: existing, place, actor });
      await recordHealthChange(tx, existing, connection, { actor, place });
      return connection.id;
    }
    const id = newId('Connection');
    const name = link.name ?? '';
    const connection = await tx.connection
      .create({
        data: {
          id,
          tenantId: link.tenantId,
          name,
          providerType: link.providerType,
          status: 'PUBLISHED',
          ...sealed(deps.keyRing, link.tenantId, id, secrets),
          syncConfig: syncConfigOf(undefined),
          settings: { ...settings },
          ...health,
          createdBy: userId,
          updatedBy: userId,
        },
      })
      .catch(conflictOnName(name));
    await recordChange(tx, { type: 'connection.created', show: connectionObject, after: connection, place, actor });
    return connection.id;
  });
}
