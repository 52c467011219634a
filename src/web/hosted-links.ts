// What the hosted pages opened by a link share (onboarding, account update, connection links): the
// link is checked on every request; one that cannot be used (expired, used, replaced) sends the
// browser to the link's refreshUrl, where the platform makes a new one, or else explains what to do;
// a browser's progress lives in a cookie scoped to the link's path, and the page's forms post below
// that path. Each kind of link brings its own store (how a token names a link, a session, a brand).
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import type { Prisma } from '../db/database.ts';
import { DomainError, LinkExpiredError, LinkUsedError } from '../core/domain-errors.ts';
import type { OnboardingLink, OnboardingSession } from '../generated/prisma/client.ts';
import type { AccountLinkKind, BusinessDetail } from '../generated/prisma/enums.ts';
import { platformBrand, type Brand } from '../connect/platform/branding.ts';
import { linkOfToken, namesNoLink, refreshUrlOf } from '../connect/accounts/links.ts';
import { currentSession } from '../connect/onboarding/hosted-sessions.ts';
import type { TokenSource } from '../auth/token-lookups.ts';
import { cookieOf, html, htmlResponse, page, readForm, seeOther } from './html.ts';
import type { FieldErrors } from './forms.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import { refusedSignInPage, signInRefusalOf } from '../auth/sign-in.ts';
import type { PageRoute } from './page-routes.ts';

export interface LinkContext<Link> {
  link: Link;
  brand: Brand;
  /** The path of this link's page: forms post below it, the cookie is scoped to it. */
  base: string;
}

/** How one kind of link is found, shown and signed in to. */
export interface LinkStore<Link, Session> {
  /** The token's link when it can be used now, else a LINK_* domain error. */
  usable: (prisma: Prisma, token: string, now: Date) => Promise<Link>;
  /** A token's link even when it cannot be used: its refreshUrl and whose brand a page about it wears; null for no link of this kind. */
  dead: (prisma: Prisma, token: string) => Promise<{ refreshUrl: string | null; brandOrganizationId: string } | null>;
  /** Whose brand the link's page wears. */
  brandOrganizationId: (link: Link) => string;
  /** The session the browser's cookie names, for this link, while it lasts. */
  session: (prisma: Prisma, link: Link, secret: string | null, now: Date) => Promise<Session | null>;
}

export interface HostedLinkOptions<Link, Session> {
  prisma: Prisma;
  clock: Clock;
  config: Config;
  /** The page is /<path>/<token>. */
  path: string;
  store: LinkStore<Link, Session>;
  cookie: string;
  /** What the user asks the platform for, e.g. "a new onboarding link". */
  newLink: string;
  rateLimits: RateLimits;
}

/** Checks a person's credentials for this link (every sign-in is limited per e-mail, client and link) and starts a session: its secret. */
type LinkSignIn<Link> = (
  prisma: Prisma,
  source: TokenSource,
  link: Link,
  credentials: { email: string; password: string },
  now: Date,
) => Promise<string>;

/** The page showing the sign-in form, with the e-mail typed and the refusal's message. */
type SignInPage<Context> = (context: Context, email: string, errors: FieldErrors, status?: number) => Response | Promise<Response>;

/** Onboarding and account update links: one table, told apart by their kind. */
export function accountLinkStore<Link extends OnboardingLink>(
  kind: AccountLinkKind,
  usable: (prisma: Prisma, token: string, now: Date) => Promise<Link>,
): LinkStore<Link, OnboardingSession> {
  return {
    usable,
    async dead(prisma, token) {
      const link = await linkOfToken(prisma, token, kind);
      return link ? { refreshUrl: await refreshUrlOf(prisma, token, kind), brandOrganizationId: link.platformOrganizationId } : null;
    },
    brandOrganizationId: (link) => link.platformOrganizationId,
    session: currentSession,
  };
}

/** What the platform requires now: the business details forms mark these details' fields. */
export async function requiredDetailsOf(prisma: Prisma, link: OnboardingLink): Promise<BusinessDetail[]> {
  const platform = await prisma.connectPlatform.findUnique({
    where: { organizationId: link.platformOrganizationId },
    select: { requiredBusinessDetails: true },
  });
  return platform?.requiredBusinessDetails ?? [];
}

const isLinkError = (error: unknown): error is DomainError =>
  error instanceof DomainError && ['LINK_EXPIRED', 'LINK_USED', 'LINK_INVALID'].includes(error.code);

function linkProblem(brand: Brand | null, title: string, status: number, newLink: string): Response {
  const who = brand ? brand.name : 'the platform that sent it';
  const body = html`<p role="alert">Ask ${who} to send you ${newLink}.</p>`;
  return htmlResponse(page({ title, brand, body }), status);
}

export function hostedLinkPages<Link extends { id: string }, Session>({
  prisma,
  clock,
  config,
  path,
  store,
  cookie,
  newLink,
  rateLimits,
}: HostedLinkOptions<Link, Session>) {
  const secure = config.publicUrl.startsWith('https:');

  /** The browser now holds this session: back to the page, which shows the next step. */
  function withSession(context: LinkContext<Link>, secret: string): Response {
    const attributes = [`Path=${context.base}`, 'HttpOnly', 'SameSite=Lax', 'Max-Age=3600', ...(secure ? ['Secure'] : [])];
    return seeOther(context.base, { 'set-cookie': `${cookie}=${secret}; ${attributes.join('; ')}` });
  }

  /** The browser forgets its session ("not you?"): back to the page, which asks to sign in. */
  function withoutSession(context: LinkContext<Link>): Response {
    const attributes = [`Path=${context.base}`, 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', ...(secure ? ['Secure'] : [])];
    return seeOther(context.base, { 'set-cookie': `${cookie}=; ${attributes.join('; ')}` });
  }

  /** A link that cannot be used: to its refreshUrl when it has one, else a page saying why. A link of another kind is unknown here. */
  async function deadLink(token: string, error: DomainError): Promise<Response> {
    const known = await store.dead(prisma, token);
    if (known?.refreshUrl) return seeOther(known.refreshUrl);
    const brand = known ? await platformBrand(prisma, known.brandOrganizationId) : null;
    if (error instanceof LinkExpiredError) return linkProblem(brand, 'This link has expired', 410, newLink);
    if (error instanceof LinkUsedError) return linkProblem(brand, 'This link was already used', 410, newLink);
    return linkProblem(brand, 'This link is not valid', 404, newLink);
  }

  /**
   * Runs `action` for a usable link; an expired, used or unknown link gets its own answer. A token that
   * names no link counts against its client's limit of unknown tokens (429 past it).
   */
  async function forLink(request: Request, token: string, action: (context: LinkContext<Link>) => Promise<Response>): Promise<Response> {
    try {
      const link = await store.usable(prisma, token, clock.now());
      const brand = await platformBrand(prisma, store.brandOrganizationId(link));
      return await action({ link, brand, base: `/${path}/${token}` });
    } catch (error) {
      if (!isLinkError(error)) throw error;
      if (namesNoLink(error)) await rateLimits.unknownToken(clientAddressOf(request));
      return deadLink(token, error);
    }
  }

  const sessionOf = (request: Request, context: LinkContext<Link>): Promise<Session | null> =>
    store.session(prisma, context.link, cookieOf(request, cookie), clock.now());

  const route = (
    method: 'GET' | 'POST',
    suffix: string,
    handle: (request: Request, context: LinkContext<Link>, match: string[]) => Promise<Response>,
  ): PageRoute => ({
    method,
    path: new RegExp(`^/${path}/([^/]+)${suffix}$`),
    browserForm: method === 'POST',
    handle: (request, [token = '', ...rest]) => forLink(request, token, (context) => handle(request, context, rest)),
  });

  /** POST <page>/sign-in: a session for whom `signIn` accepts; any refusal is shown on the sign-in form. */
  const signInRoute = (signIn: LinkSignIn<Link>, signInPage: SignInPage<LinkContext<Link>>): PageRoute =>
    route('POST', '/sign-in', async (request, context) => {
      const form = await readForm(request);
      const email = form?.get('email') ?? '';
      const source = { limits: rateLimits, client: clientAddressOf(request) };
      try {
        return withSession(
          context,
          await signIn(prisma, source, context.link, { email, password: form?.get('password') ?? '' }, clock.now()),
        );
      } catch (error) {
        const refusal = signInRefusalOf(error);
        if (refusal) return refusedSignInPage(refusal, await signInPage(context, email, { 'sign-in': refusal.message }));
        if (!(error instanceof DomainError)) throw error;
        return await signInPage(context, email, { 'sign-in': error.message }, 401);
      }
    });

  return { route, withSession, withoutSession, sessionOf, signInRoute };
}
