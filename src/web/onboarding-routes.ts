// HTTP for the hosted onboarding page at <PUBLIC_URL>/onboarding/<token>: step one (sign in, or
// sign up with a verified e-mail and a password), step two (business details), then back to the
// platform (the link's returnUrl, else its redirectUrl). What every link's page shares (the link's
// checks, its refreshUrl, the session cookie) is in ./hosted-links.ts.
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import { usableOnboardingLink } from '../connect/onboarding/service.ts';
import type { Prisma } from '../db/database.ts';
import { DomainError, ValidationError } from '../core/domain-errors.ts';
import { readForm, seeOther } from './html.ts';
import { messagePage, type PageRoute } from './page-routes.ts';
import { countryCode } from '../core/validation.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import { clientAddressOf } from '../auth/client-address.ts';
import { refusedSignInPage, signInRefusalOf } from '../auth/sign-in.ts';
import {
  accountStep,
  BUSINESS_SPECS,
  businessStep,
  checkInboxStep,
  PASSWORD_SPECS,
  passwordStep,
  type BusinessValues,
} from './onboarding-pages.ts';
import { DETAIL_FIELDS, fieldErrors, formValues } from './forms.ts';
import { accountLinkStore, hostedLinkPages, requiredDetailsOf, type LinkContext } from './hosted-links.ts';
import {
  choosePassword,
  completeFromSession,
  signInToOnboarding,
  startEmailVerification,
  stepOf,
  verifyEmail,
} from '../connect/onboarding/hosted-sessions.ts';

const BUSINESS_FIELDS = ['organizationName', 'country', ...DETAIL_FIELDS] as const;

interface Dependencies {
  prisma: Prisma;
  clock: Clock;
  config: Config;
  rateLimits: RateLimits;
  /** Called once a sign-up e-mail is in the outbox. */
  emailQueued: () => void;
}

type OnboardingContext = LinkContext<Awaited<ReturnType<typeof usableOnboardingLink>>>;

export function onboardingPageRoutes({ prisma, clock, config, rateLimits, emailQueued }: Dependencies): PageRoute[] {
  const { route, withSession, sessionOf, signInRoute } = hostedLinkPages({
    prisma,
    clock,
    config,
    path: 'onboarding',
    store: accountLinkStore('ONBOARDING', usableOnboardingLink),
    cookie: 'connect_onboarding',
    newLink: 'a new onboarding link',
    rateLimits,
  });

  const prefilled = ({ link }: OnboardingContext): BusinessValues => ({
    organizationName: link.connectedAccount.pendingOrganizationName,
    country: link.connectedAccount.pendingCountry,
  });

  const details = async (context: OnboardingContext, values: BusinessValues, errors: Record<string, string> = {}, status = 200) =>
    businessStep(context.brand, context.base, values, await requiredDetailsOf(prisma, context.link), errors, status);

  return [
    route('GET', '', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session) return accountStep(context.brand, context.base, context.link.connectedAccount.pendingEmail, {});
      switch (stepOf(session)) {
        case 'verify-email':
          return checkInboxStep(context.brand, context.base, session.email);
        case 'set-password':
          return passwordStep(context.brand, context.base, session.email, {});
        case 'business-details':
          return details(context, prefilled(context));
      }
    }),

    signInRoute(signInToOnboarding, (context, email, errors, status) => accountStep(context.brand, context.base, email, errors, status)),

    route('POST', '/sign-up', async (request, context) => {
      const form = await readForm(request);
      const email = form?.get('email') ?? '';
      const source = { limits: rateLimits, client: clientAddressOf(request) };
      try {
        const pageUrl = `${config.publicUrl}${context.base}`;
        const input = {
          email,
          platformName: context.brand.name,
          pageUrl,
          verifyUrl: (verification: string) => `${pageUrl}/verify/${verification}`,
        };
        const secret = await startEmailVerification(prisma, source, context.link, input, clock.now());
        emailQueued();
        return withSession(context, secret);
      } catch (error) {
        const refusal = signInRefusalOf(error);
        if (refusal) return refusedSignInPage(refusal, accountStep(context.brand, context.base, email, { 'sign-up': refusal.message }));
        if (!(error instanceof ValidationError)) throw error;
        return accountStep(context.brand, context.base, email, { 'sign-up': error.message }, 400);
      }
    }),

    route('GET', '/verify/([^/]+)', async (request, context, [verification = '']) => {
      const secret = await verifyEmail(prisma, context.link, verification, clock.now());
      if (secret) return withSession(context, secret);
      await rateLimits.unknownToken(clientAddressOf(request));
      return messagePage(
        'This verification link cannot be used',
        'It was already used or has expired: open your onboarding link again to start over.',
        context.brand,
        400,
      );
    }),

    route('POST', '/password', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session || stepOf(session) !== 'set-password') return seeOther(context.base);
      const password = (await readForm(request))?.get('password') ?? '';
      try {
        await choosePassword(prisma, session, password);
        return seeOther(context.base);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // Whether one was typed is all the message needs: the password itself is never shown again.
        const typed = { password: password ? 'typed' : null };
        return passwordStep(context.brand, context.base, session.email, fieldErrors(error, typed, PASSWORD_SPECS), 400);
      }
    }),

    route('POST', '/complete', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session || stepOf(session) !== 'business-details') return seeOther(context.base);
      const values = formValues(await readForm(request), BUSINESS_FIELDS);
      try {
        const country = countryCode(values.country ?? '', 'country');
        const completed = await completeFromSession(
          prisma,
          session,
          context.link,
          { ...values, organizationName: values.organizationName ?? '', country },
          clock.now(),
        );
        return seeOther(completed.redirectUrl);
      } catch (error) {
        if (error instanceof ValidationError) return details(context, values, fieldErrors(error, values, BUSINESS_SPECS), 400);
        if (error instanceof DomainError && !error.code.startsWith('LINK_')) return details(context, values, { form: error.message }, 409);
        throw error;
      }
    }),
  ];
}
