// What the hosted pages opened by a link share (onboarding, account update): the link is checked on
// every request; one that cannot be used (expired, used, replaced) sends the browser to the link's
// refreshUrl, where the platform makes a new one, or else explains what to do; a browser's progress
// lives in a cookie scoped to the link's path, and the page's forms post below that path.
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import type { Prisma } from '../db/database.ts';
import { DomainError, LinkExpiredError, LinkUsedError } from '../core/domain-errors.ts';
import type { OnboardingLink, OnboardingSession } from '../generated/prisma/client.ts';
import type { AccountLinkKind, BusinessDetail } from '../generated/prisma/enums.ts';
import { platformBrand, type Brand } from '../connect/platform/branding.ts';
import { linkOfToken, namesNoLink, refreshUrlOf } from '../connect/accounts/links.ts';
import { currentSession } from '../connect/onboarding/hosted-sessions.ts';
import { cookieOf, html, htmlResponse, page, readForm, seeOther } from './html.ts';
import type { FieldErrors } from './forms.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import { refusedSignInPage, signInRefusalOf } from '../auth/sign-in.ts';
import type { SignInSource } from '../connect/onboarding/service.ts';
import type { PageRoute } from './page-routes.ts';

export interface LinkContext<Link> {
  link: Link;
  brand: Brand;
  /** What the platform requires now: the forms mark these details' fields. */
  requiredDetails: BusinessDetail[];
  /** The path of this link's page: forms post below it, the cookie is scoped to it. */
  base: string;
}

export interface HostedLinkOptions<Link> {
  prisma: Prisma;
  clock: Clock;
  config: Config;
  /** The page is /<path>/<token>. */
  path: string;
  kind: AccountLinkKind;
  cookie: string;
  /** The token's link when it can be used now, else a LINK_* domain error. */
  usable: (prisma: Prisma, token: string, now: Date) => Promise<Link>;
  /** What the user asks the platform for, e.g. "a new onboarding link". */
  newLink: string;
  rateLimits: RateLimits;
}

/** Checks a person's credentials for this link (every sign-in is limited per e-mail, client and link) and starts a session: its secret. */
type LinkSignIn<Link> = (
  prisma: Prisma,
  source: SignInSource,
  link: Link,
  credentials: { email: string; password: string },
  now: Date,
) => Promise<string>;

/** The page showing the sign-in form, with the e-mail typed and the refusal's message. */
type SignInPage<Link> = (context: LinkContext<Link>, email: string, errors: FieldErrors, status?: number) => Response;

const isLinkError = (error: unknown): error is DomainError =>
  error instanceof DomainError && ['LINK_EXPIRED', 'LINK_USED', 'LINK_INVALID'].includes(error.code);

function linkProblem(brand: Brand | null, title: string, status: number, newLink: string): Response {
  const who = brand ? brand.name : 'the platform that sent it';
  const body = html`<p role="alert">Ask ${who} to send you ${newLink}.</p>`;
  return htmlResponse(page({ title, brand, body }), status);
}

export function hostedLinkPages<Link extends OnboardingLink>({
  prisma,
  clock,
  config,
  path,
  kind,
  cookie,
  usable,
  newLink,
  rateLimits,
}: HostedLinkOptions<Link>) {
  const secure = config.publicUrl.startsWith('https:');

  /** The browser now holds this session: back to the page, which shows the next step. */
  function withSession(context: LinkContext<Link>, secret: string): Response {
    const attributes = [`Path=${context.base}`, 'HttpOnly', 'SameSite=Lax', 'Max-Age=3600', ...(secure ? ['Secure'] : [])];
    return seeOther(context.base, { 'set-cookie': `${cookie}=${secret}; ${attributes.join('; ')}` });
  }

  /** A link that cannot be used: to its refreshUrl when it has one, else a page saying why. A link of another kind is unknown here. */
  async function deadLink(token: string, error: DomainError): Promise<Response> {
    const refreshUrl = await refreshUrlOf(prisma, token, kind);
    if (refreshUrl) return seeOther(refreshUrl);
    const known = await linkOfToken(prisma, token, kind);
    const brand = known ? await platformBrand(prisma, known.platformOrganizationId) : null;
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
      const link = await usable(prisma, token, clock.now());
      const [brand, platform] = await Promise.all([
        platformBrand(prisma, link.platformOrganizationId),
        prisma.connectPlatform.findUniqueOrThrow({
          where: { organizationId: link.platformOrganizationId },
          select: { requiredBusinessDetails: true },
        }),
      ]);
      return await action({ link, brand, requiredDetails: platform.requiredBusinessDetails, base: `/${path}/${token}` });
    } catch (error) {
      if (!isLinkError(error)) throw error;
      if (namesNoLink(error)) await rateLimits.unknownToken(clientAddressOf(request));
      return deadLink(token, error);
    }
  }

  const sessionOf = (request: Request, context: LinkContext<Link>): Promise<OnboardingSession | null> =>
    currentSession(prisma, context.link, cookieOf(request, cookie), clock.now());

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
  const signInRoute = (signIn: LinkSignIn<Link>, signInPage: SignInPage<Link>): PageRoute =>
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
        if (refusal) return refusedSignInPage(refusal, signInPage(context, email, { 'sign-in': refusal.message }));
        if (!(error instanceof DomainError)) throw error;
        return signInPage(context, email, { 'sign-in': error.message }, 401);
      }
    });

  return { route, withSession, sessionOf, signInRoute };
}
