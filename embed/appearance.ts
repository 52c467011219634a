// `appearance` as CSS custom properties on a component's host: the components' styles read them
// (with defaults), and custom properties cross the shadow root where the page's own CSS does not.
import type { ConnectAppearance } from './public-types.ts';

const PROPERTIES: Record<keyof ConnectAppearance, string> = {
  colorPrimary: '--connect-color-primary',
  colorBackground: '--connect-color-background',
  colorText: '--connect-color-text',
  colorDanger: '--connect-color-danger',
  fontFamily: '--connect-font-family',
  borderRadius: '--connect-border-radius',
};

export function applyAppearance(element: HTMLElement, appearance: ConnectAppearance): void {
  for (const [option, property] of Object.entries(PROPERTIES) as [keyof ConnectAppearance, string][]) {
    const value = appearance[option];
    if (value) element.style.setProperty(property, value);
    else element.style.removeProperty(property);
  }
}
