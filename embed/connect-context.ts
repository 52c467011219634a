// What a component needs from its loadConnect: the session's client and the theming. create() hands
// it to the element it makes; a tag written in the page takes the latest loadConnect's, waiting
// for it when the tag is in the page before loadConnect ran.
import type { ConnectAppearance } from './public-types.ts';
import type { SessionClient } from './session/session-client.ts';
import type { SessionViewCache } from './session/session-view.ts';

export interface ConnectContext {
  client: SessionClient;
  session: SessionViewCache;
  appearance: ConnectAppearance;
  /** The elements to theme again when the appearance changes. */
  elements: Set<HTMLElement>;
}

let latest: ConnectContext | null = null;
let announceFirst: (context: ConnectContext) => void = () => {};
const first = new Promise<ConnectContext>((resolve) => {
  announceFirst = resolve;
});

export function setLatestContext(context: ConnectContext): void {
  latest = context;
  announceFirst(context);
}

export const latestContext = (): Promise<ConnectContext> => (latest ? Promise.resolve(latest) : first);
