// HTTP for the hosted onboarding page at <PUBLIC_URL>/onboarding/<token>: step one (sign in, or
// sign up with a verified e-mail and a password), step two (business details), then back to the
// platform. A browser's progress lives in a cookie scoped to its link's path.
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import { platformBrand, type Brand } from '../connect/platform/branding.ts';
import { hashPresentedToken } from '../connect/accounts/links.ts';
import { usableOnboardingLink } from '../connect/onboarding/service.ts';
import type { Prisma } from '../db/database.ts';
import { DomainError, LinkExpiredError, LinkUsedError, ValidationError } from '../core/domain-errors.ts';
import { cookieOf, readForm, seeOther } from './html.ts';
import { messagePage, type PageRoute } from './page-routes.ts';
import { countryCode } from '../core/validation.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import { refusedSignInPage, signInRefusalOf } from '../auth/sign-in.ts';
import { accountStep, businessStep, checkInboxStep, linkProblem, passwordStep, type BusinessValues, type FieldErrors } from './onboarding-pages.ts';
import {
  choosePassword,
  completeFromSession,
  currentSession,
  signInToOnboarding,
  startEmailVerification,
  stepOf,
  verifyEmail,
} from '../connect/onboarding/hosted-sessions.ts';

const SESSION_COOKIE = 'connect_onboarding';
const BUSINESS_FIELDS = ['organizationName', 'country', 'legalName', 'addressLine1', 'addressLine2', 'city', 'postalCode', 'vatNumber'] as const;

interface Dependencies {
  prisma: Prisma;
  clock: Clock;
  config: Config;
  rateLimits: RateLimits;
  /** Called once a verification e-mail is in the outbox. */
  emailQueued: () => void;
}

type UsableLink = Awaited<ReturnType<typeof usableOnboardingLink>>;

interface LinkContext {
  link: UsableLink;
  brand: Brand;
  /** The path of this link's page: forms post below it, the cookie is scoped to it. */
  base: string;
}

/** Every field error of a validation failure, under the form's own field names. */
function fieldErrors(error: ValidationError): FieldErrors {
  return Object.fromEntries(error.fields.map((name) => [name, error.message]));
}

export function onboardingPageRoutes({ prisma, clock, config, rateLimits, emailQueued }: Dependencies): PageRoute[] {
  const secure = config.publicUrl.startsWith('https:');

  function withSession(context: LinkContext, secret: string): Response {
    const attributes = [`Path=${context.base}`, 'HttpOnly', 'SameSite=Lax', 'Max-Age=3600', ...(secure ? ['Secure'] : [])];
    return seeOther(context.base, { 'set-cookie': `${SESSION_COOKIE}=${secret}; ${attributes.join('; ')}` });
  }

  /** Runs `action` for a usable link; an expired, used or unknown link gets its own page. */
  async function forLink(token: string, action: (context: LinkContext) => Promise<Response>): Promise<Response> {
    const now = clock.now();
    try {
      const link = await usableOnboardingLink(prisma, token, now);
      const brand = await platformBrand(prisma, link.platformOrganizationId);
      return await action({ link, brand, base: `/onboarding/${token}` });
    } catch (error) {
      if (!(error instanceof DomainError) || !['LINK_EXPIRED', 'LINK_USED', 'LINK_INVALID'].includes(error.code)) throw error;
      const tokenHash = hashPresentedToken(token);
      const known = tokenHash ? await prisma.onboardingLink.findUnique({ where: { tokenHash }, select: { platformOrganizationId: true } }) : null;
      const brand = known ? await platformBrand(prisma, known.platformOrganizationId) : null;
      if (error instanceof LinkExpiredError) return linkProblem(brand, 'This link has expired', 410);
      if (error instanceof LinkUsedError) return linkProblem(brand, 'This link was already used', 410);
      return linkProblem(brand, 'This link is not valid', 404);
    }
  }

  const sessionOf = (request: Request, context: LinkContext) =>
    currentSession(prisma, context.link, cookieOf(request, SESSION_COOKIE), clock.now());

  const prefilled = (link: UsableLink): BusinessValues => ({
    organizationName: link.connectedAccount.pendingOrganizationName,
    country: link.connectedAccount.pendingCountry,
  });

  const route = (method: 'GET' | 'POST', suffix: string, handle: (request: Request, context: LinkContext, match: string[]) => Promise<Response>): PageRoute => ({
    method,
    path: new RegExp(`^/onboarding/([^/]+)${suffix}$`),
    browserForm: method === 'POST',
    handle: (request, [token = '', ...rest]) => forLink(token, (context) => handle(request, context, rest)),
  });

  return [
    route('GET', '', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session) return accountStep(context.brand, context.base, context.link.connectedAccount.pendingEmail, {});
      switch (stepOf(session)) {
        case 'verify-email':
          return checkInboxStep(context.brand, session.email);
        case 'set-password':
          return passwordStep(context.brand, context.base, session.email, {});
        case 'business-details':
          return businessStep(context.brand, context.base, prefilled(context.link), {});
      }
    }),

    route('POST', '/sign-in', async (request, context) => {
      const form = await readForm(request);
      const email = form?.get('email') ?? '';
      const source = { limits: rateLimits, client: clientAddressOf(request) };
      try {
        return withSession(context, await signInToOnboarding(prisma, source, context.link, { email, password: form?.get('password') ?? '' }, clock.now()));
      } catch (error) {
        const refusal = signInRefusalOf(error);
        if (refusal) return refusedSignInPage(refusal, accountStep(context.brand, context.base, email, { 'sign-in': refusal.message }));
        if (!(error instanceof DomainError)) throw error;
        return accountStep(context.brand, context.base, email, { 'sign-in': error.message }, 401);
      }
    }),

    route('POST', '/sign-up', async (request, context) => {
      const form = await readForm(request);
      const email = form?.get('email') ?? '';
      try {
        const verifyUrl = (verification: string) => `${config.publicUrl}${context.base}/verify/${verification}`;
        const secret = await startEmailVerification(prisma, context.link, { email, platformName: context.brand.name, verifyUrl }, clock.now());
        emailQueued();
        return withSession(context, secret);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return accountStep(context.brand, context.base, email, { 'sign-up': error.message }, error instanceof ValidationError ? 400 : 409);
      }
    }),

    route('GET', '/verify/([^/]+)', async (_request, context, [verification = '']) => {
      const secret = await verifyEmail(prisma, context.link, verification, clock.now());
      if (secret) return withSession(context, secret);
      return messagePage('This verification link cannot be used', 'It was already used or has expired: open your onboarding link again to start over.', context.brand, 400);
    }),

    route('POST', '/password', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session || stepOf(session) !== 'set-password') return seeOther(context.base);
      try {
        await choosePassword(prisma, session, (await readForm(request))?.get('password') ?? '');
        return seeOther(context.base);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return passwordStep(context.brand, context.base, session.email, fieldErrors(error), 400);
      }
    }),

    route('POST', '/complete', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session || stepOf(session) !== 'business-details') return seeOther(context.base);
      const form = await readForm(request);
      const values = Object.fromEntries(BUSINESS_FIELDS.map((name) => [name, form?.get(name)?.trim() || null])) as BusinessValues;
      try {
        const country = countryCode(values.country ?? '', 'country');
        const completed = await completeFromSession(prisma, session, context.link, { ...values, organizationName: values.organizationName ?? '', country }, clock.now());
        return seeOther(completed.redirectUrl);
      } catch (error) {
        if (error instanceof ValidationError) return businessStep(context.brand, context.base, values, fieldErrors(error), 400);
        if (error instanceof DomainError && !error.code.startsWith('LINK_')) {
          return businessStep(context.brand, context.base, values, { form: error.message }, 409);
        }
        throw error;
      }
    }),
  ];
}
