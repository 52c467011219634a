// HTTP for the hosted connection link page at <PUBLIC_URL>/connection-link/<token>: sign in (a member
// of the tenant's organization), type the provider's credentials, have them checked with the
// provider, and back to the link's returnUrl with `connection_id`. The link's checks, its refreshUrl
// and the session cookie are shared with the other hosted pages (./hosted-links.ts).
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import type { Prisma } from '../db/database.ts';
import { DomainError, ValidationError } from '../core/domain-errors.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import { addressPolicyOf } from '../net/address-guard.ts';
import type { ConnectionLink } from '../generated/prisma/client.ts';
import { providers } from '../connections/providers/registry.ts';
import type { ConnectionSettingsInput } from '../connections/settings.ts';
import { storedSettings } from '../connections/settings.ts';
import {
  brandOrganizationOf,
  connectFromLink,
  CredentialsRefusedError,
  deadConnectionLink,
  signedInMember,
  signInToConnectionLink,
  signOutOfConnectionLink,
  usableConnectionLink,
} from '../connections/hosted-links.ts';
import { readForm, seeOther } from './html.ts';
import type { PageRoute } from './page-routes.ts';
import { fieldErrors, formValues, type FieldErrors } from './forms.ts';
import { hostedLinkPages, type LinkContext } from './hosted-links.ts';
import { credentialsStep, formSpecs, signInStep, type ConnectionLinkView } from './connection-link-pages.ts';

interface Dependencies {
  prisma: Prisma;
  clock: Clock;
  config: Config;
  rateLimits: RateLimits;
  keyRing: KeyRing;
}

const COOKIE = 'connect_connection_link';

/** The provider's refusal in plain words: what it said (our wording, never its message), and that nothing changed. */
function refusalMessage(error: CredentialsRefusedError): string {
  const why = error.outcome.error ? `: ${error.outcome.error}` : '';
  return error.outcome.status === 'NEEDS_REAUTH'
    ? `${error.providerLabel} did not accept these credentials${why}. Check them and try again; nothing was saved.`
    : `${error.providerLabel} could not check these credentials${why}. Check the settings and try again; nothing was saved.`;
}

/** The settings the page asks for, as the connection rules take them: blank goes back to the default. */
function settingsOf(values: Record<string, string | null>, asked: string[]): ConnectionSettingsInput {
  const settings: ConnectionSettingsInput = {};
  for (const name of asked) {
    const value = values[name] ?? null;
    if (name === 'forcePathStyle') settings.forcePathStyle = value === 'on' ? true : null;
    else if (name === 'endpoint') settings.endpoint = value === null ? null : endpointUrl(value);
    else if (name === 'bucket' || name === 'region') settings[name] = value;
  }
  return settings;
}

function endpointUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ValidationError('The endpoint is not a URL.', ['endpoint']);
  }
}

export function connectionLinkPageRoutes({ prisma, clock, config, rateLimits, keyRing }: Dependencies): PageRoute[] {
  const { route, withoutSession, sessionOf, signInRoute } = hostedLinkPages({
    prisma,
    clock,
    config,
    path: 'connection-link',
    store: {
      usable: usableConnectionLink,
      dead: deadConnectionLink,
      brandOrganizationId: brandOrganizationOf,
      session: (client, link: ConnectionLink, secret) => signedInMember(client, link, secret),
    },
    cookie: COOKIE,
    newLink: 'a new link to connect your account',
    rateLimits,
  });
  const deps = { keyRing, addressPolicy: addressPolicyOf(config), verifyTimeoutMs: config.connectionVerifyTimeoutMs };

  async function viewOf(context: LinkContext<ConnectionLink>): Promise<ConnectionLinkView> {
    const { link } = context;
    const existing = link.connectionId
      ? await prisma.connection.findUnique({ where: { id: link.connectionId }, select: { name: true } })
      : null;
    const provider = providers[link.providerType];
    return {
      brand: context.brand,
      base: context.base,
      provider,
      reconnect: link.connectionId !== null,
      name: existing?.name ?? link.name ?? '',
    };
  }

  /** A reconnect shows the stored settings (never the secrets), so an S3 store's endpoint and bucket need not be typed again. */
  async function storedValues(link: ConnectionLink): Promise<Record<string, string | null>> {
    if (!link.connectionId) return {};
    const connection = await prisma.connection.findUnique({ where: { id: link.connectionId } });
    if (!connection) return {};
    const { endpoint, bucket, region, forcePathStyle } = storedSettings(connection);
    return { endpoint: endpoint ?? null, bucket: bucket ?? null, region: region ?? null, forcePathStyle: forcePathStyle ? 'on' : null };
  }

  const signInPage = async (context: LinkContext<ConnectionLink>, email: string | null, errors: FieldErrors, status?: number) =>
    signInStep(await viewOf(context), email, errors, status);

  return [
    route('GET', '', async (request, context) => {
      const member = await sessionOf(request, context);
      if (!member) return signInPage(context, null, {});
      return credentialsStep(await viewOf(context), { email: member.email, values: await storedValues(context.link), errors: {} });
    }),

    signInRoute(signInToConnectionLink, signInPage),

    route('POST', '/sign-out', async (request, context) => {
      // Only the browser holding the session ends it: the link alone signs no one out.
      if (await sessionOf(request, context)) await signOutOfConnectionLink(prisma, context.link);
      return withoutSession(context);
    }),

    route('POST', '/save', async (request, context) => {
      const member = await sessionOf(request, context);
      if (!member) return seeOther(context.base);
      const provider = providers[context.link.providerType];
      const names = Object.keys(formSpecs(provider));
      const values = formValues(await readForm(request), names);
      const secretNames = Object.keys(provider.form.secrets);
      // What the page may show again: settings and identifiers typed in the open, never a hidden secret.
      const shown = Object.fromEntries(
        names
          .filter((name) => !secretNames.includes(name) || provider.form.secrets[name]?.shown)
          .map((name) => [name, values[name] ?? null]),
      );
      const view = await viewOf(context);
      try {
        const secrets = Object.fromEntries(secretNames.map((name) => [name, values[name] ?? null]));
        const settings = settingsOf(values, Object.keys(provider.form.settings ?? {}));
        return seeOther(await connectFromLink(prisma, deps, context.link, member.id, { secrets, settings }, () => clock.now()));
      } catch (error) {
        if (error instanceof ValidationError) {
          return credentialsStep(
            view,
            { email: member.email, values: shown, errors: fieldErrors(error, values, formSpecs(provider)) },
            400,
          );
        }
        if (error instanceof CredentialsRefusedError) {
          return credentialsStep(view, { email: member.email, values: shown, errors: {}, refusal: refusalMessage(error) }, 422);
        }
        // A link error (used meanwhile) goes on to the dead-link answer; anything else is said on the form.
        if (error instanceof DomainError && !error.code.startsWith('LINK_')) {
          return credentialsStep(view, { email: member.email, values: shown, errors: { form: error.message } }, 409);
        }
        throw error;
      }
    }),
  ];
}
