// HTTP for the hosted account update page at <PUBLIC_URL>/account-update/<token>: sign in (a member
// of the connected organization), edit the business details, save, and back to the platform (the
// link's returnUrl, else its redirectUrl). The link's checks, its refreshUrl and the session cookie
// are shared with onboarding (./hosted-links.ts).
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config.ts';
import type { Prisma } from '../db/database.ts';
import { DomainError, ValidationError } from '../core/domain-errors.ts';
import type { RateLimits } from '../auth/rate-limits.ts';
import {
  currentBusinessDetails,
  saveBusinessDetails,
  signInToAccountUpdate,
  usableAccountUpdateLink,
  type AccountUpdateLink,
} from '../connect/account-updates/hosted.ts';
import { readForm, seeOther } from './html.ts';
import type { PageRoute } from './page-routes.ts';
import { DETAIL_FIELDS, DETAIL_SPECS, fieldErrors, formValues, type DetailValues, type FieldErrors } from './forms.ts';
import { accountLinkStore, hostedLinkPages, requiredDetailsOf, type LinkContext } from './hosted-links.ts';
import { detailsStep, signInStep } from './account-update-pages.ts';

interface Dependencies {
  prisma: Prisma;
  clock: Clock;
  config: Config;
  rateLimits: RateLimits;
}

export function accountUpdatePageRoutes({ prisma, clock, config, rateLimits }: Dependencies): PageRoute[] {
  const { route, sessionOf, signInRoute } = hostedLinkPages({
    prisma,
    clock,
    config,
    path: 'account-update',
    store: accountLinkStore('ACCOUNT_UPDATE', usableAccountUpdateLink),
    cookie: 'connect_account_update',
    newLink: 'a new link to update your details',
    rateLimits,
  });

  const details = async (context: LinkContext<AccountUpdateLink>, values: DetailValues, errors: FieldErrors = {}, status = 200) =>
    detailsStep(context.brand, context.base, values, await requiredDetailsOf(prisma, context.link), errors, status);

  return [
    route('GET', '', async (request, context) => {
      const session = await sessionOf(request, context);
      const current = session?.userId ? await currentBusinessDetails(prisma, context.link, session.userId) : null;
      if (!current) return signInStep(context.brand, context.base, context.link.connectedAccount.pendingEmail, {});
      return details(context, current);
    }),

    signInRoute(signInToAccountUpdate, (context, email, errors, status) => signInStep(context.brand, context.base, email, errors, status)),

    route('POST', '/save', async (request, context) => {
      const session = await sessionOf(request, context);
      if (!session?.userId) return seeOther(context.base);
      const values = formValues(await readForm(request), DETAIL_FIELDS);
      try {
        return seeOther(await saveBusinessDetails(prisma, session, context.link, values, clock.now()));
      } catch (error) {
        if (error instanceof ValidationError) return details(context, values, fieldErrors(error, values, DETAIL_SPECS), 400);
        // A link error (used meanwhile) goes on to the dead-link answer; anything else is said on the form.
        if (error instanceof DomainError && !error.code.startsWith('LINK_')) return details(context, values, { form: error.message }, 409);
        throw error;
      }
    }),
  ];
}
