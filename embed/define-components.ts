// The custom elements, defined once when connect.js loads (a second copy of the module on the same
// page leaves the first one's in place rather than throwing).
import { AccountManagementElement } from './components/account-management.ts';
import { AccountOnboardingElement } from './components/account-onboarding.ts';
import { ConnectionsElement } from './components/connections.ts';
import { EventsElement } from './components/events.ts';
import { NotificationBannerElement } from './components/notification-banner.ts';
import type { ConnectComponentName } from './public-types.ts';

export const COMPONENTS: Record<ConnectComponentName, CustomElementConstructor> = {
  'connect-account-onboarding': AccountOnboardingElement,
  'connect-account-management': AccountManagementElement,
  'connect-notification-banner': NotificationBannerElement,
  'connect-connections': ConnectionsElement,
  'connect-events': EventsElement,
};

export function defineComponents(): void {
  for (const [name, element] of Object.entries(COMPONENTS)) {
    if (!customElements.get(name)) customElements.define(name, element);
  }
}
