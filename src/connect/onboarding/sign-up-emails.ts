// The e-mails a sign-up sends: to a new address, the hosted page's verification link or the embedded
// onboarding's 6-digit code; to an address that already has an account, a message telling its owner
// to sign in instead. Only the address's owner reads which one it got; the page answers both alike.
import type { EmailMessage } from '../../email/outbox.ts';

export interface SignUpEmailInput {
  email: string;
  platformName: string;
  /** The onboarding page, where an existing user signs in; null inside a platform's own page. */
  pageUrl: string | null;
  /** The page's verification link for a token. */
  verifyUrl: (token: string) => string;
}

export function verificationEmail(input: SignUpEmailInput, verificationToken: string): EmailMessage {
  return {
    to: input.email,
    subject: `Confirm your e-mail to join ${input.platformName}`,
    text: [
      `Open this link to confirm your e-mail address and continue setting up your account with ${input.platformName}:`,
      '',
      input.verifyUrl(verificationToken),
      '',
      'If you did not ask for this, ignore this message.',
    ].join('\n'),
  };
}

export function accountExistsEmail(input: SignUpEmailInput): EmailMessage {
  return {
    to: input.email,
    subject: `You already have an account: sign in to join ${input.platformName}`,
    text: [
      `Someone asked to set up an account with ${input.platformName} using this e-mail address, which already has an account.`,
      '',
      ...(input.pageUrl === null
        ? ['If it was you, there is nothing to confirm: sign in where you started, with this address and your password.', '']
        : [
            'If it was you, there is nothing to confirm: sign in on the page with this address and your password ("I have an account"):',
            '',
            input.pageUrl,
            '',
          ]),
      'If it was not you, ignore this message: nothing was changed, and no one can use your account without your password.',
    ].join('\n'),
  };
}

/** The embedded onboarding's code: typed into the platform's page, where the sign-up started. */
export function verificationCodeEmail(
  input: Pick<SignUpEmailInput, 'email' | 'platformName'>,
  code: string,
  validMinutes: number,
): EmailMessage {
  return {
    to: input.email,
    subject: `${code} is your code to join ${input.platformName}`,
    text: [
      `Enter this code to confirm your e-mail address and continue setting up your account with ${input.platformName}:`,
      '',
      code,
      '',
      `It works for ${validMinutes} minutes. If you did not ask for this, ignore this message.`,
    ].join('\n'),
  };
}
