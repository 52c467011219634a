// loadConnect: one session client and one theme for the components a platform's page mounts.
import { applyAppearance } from './appearance.ts';
import { type ConnectContext, setLatestContext } from './connect-context.ts';
import { COMPONENTS } from './define-components.ts';
import type { ConnectAppearance, ConnectComponentName, ConnectInstance, LoadConnectOptions } from './public-types.ts';
import { SessionClient } from './session/session-client.ts';
import { SessionViewCache } from './session/session-view.ts';

export function loadConnect({ apiUrl, fetchClientSecret, appearance = {} }: LoadConnectOptions): ConnectInstance {
  if (typeof fetchClientSecret !== 'function')
    throw new TypeError('loadConnect needs fetchClientSecret: a function that resolves to a client secret');
  const client = new SessionClient(new URL(apiUrl).href, fetchClientSecret);
  const context: ConnectContext = { client, session: new SessionViewCache(client), appearance, elements: new Set() };
  setLatestContext(context);
  return {
    create(name: ConnectComponentName) {
      if (!Object.hasOwn(COMPONENTS, name))
        throw new TypeError(`${name} is not a Connect component (${Object.keys(COMPONENTS).join(', ')})`);
      const element = document.createElement(name) as HTMLElement & { context: ConnectContext | null };
      element.context = context;
      return element;
    },
    update({ appearance: next }: { appearance: ConnectAppearance }) {
      context.appearance = next;
      for (const element of context.elements) applyAppearance(element, next);
    },
  };
}
