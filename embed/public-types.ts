// The public surface of connect.js, as a platform's page sees it: what loadConnect takes and gives,
// and the events the components dispatch. Self-contained (no imports), so a platform's TypeScript
// can copy or import it as the module's types.

/** The custom elements connect.js defines. */
export type ConnectComponentName =
  | 'connect-account-onboarding'
  | 'connect-account-management'
  | 'connect-notification-banner'
  | 'connect-connections'
  | 'connect-events';

/** Theming, applied as CSS custom properties (`--connect-color-primary`, …) on each component. */
export interface ConnectAppearance {
  colorPrimary?: string;
  colorBackground?: string;
  colorText?: string;
  colorDanger?: string;
  fontFamily?: string;
  borderRadius?: string;
}

export interface LoadConnectOptions {
  /** Where Connect runs, e.g. https://connect.example (the components call <apiUrl>/graphql). */
  apiUrl: string;
  /**
   * Asks the platform's own backend for a fresh account session and resolves to its client secret
   * (`acs_secret_…`). Called once at first, and again whenever Connect says the session ended.
   */
  fetchClientSecret: () => Promise<string>;
  appearance?: ConnectAppearance;
}

export interface ConnectInstance {
  /** A new component, bound to this instance's session; append it where it should show. */
  create(name: ConnectComponentName): HTMLElement;
  /** New theming for every component of this instance, shown at once. */
  update(options: { appearance: ConnectAppearance }): void;
}

export type LoadConnect = (options: LoadConnectOptions) => ConnectInstance;

/** `connect:error`'s detail: a failure the component could not show in a form of its own. */
export interface ConnectErrorDetail {
  /** The API's code (UNAUTHENTICATED, FORBIDDEN, ORIGIN_NOT_ALLOWED, RATE_LIMITED, …) or NETWORK. */
  code: string;
  message: string;
}

/** `connect:onboarding-complete`'s detail. */
export interface OnboardingCompleteDetail {
  connectedAccountId: string;
}

/** `connect:exit`'s detail: the user closed or left the component. */
export interface ExitDetail {
  component: ConnectComponentName;
}

export interface ConnectEventMap {
  'connect:error': CustomEvent<ConnectErrorDetail>;
  'connect:onboarding-complete': CustomEvent<OnboardingCompleteDetail>;
  'connect:exit': CustomEvent<ExitDetail>;
}
