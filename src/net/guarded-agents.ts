// HTTP agents for a request to an address a tenant chose: every connection they open resolves its
// host through the address guard's lookup (so production never connects into its own network,
// whatever the name resolves to at that moment), none is pooled beyond the call, and all are
// destroyed when `signal` aborts, which ends a request an SDK would otherwise keep waiting on.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { sendTimeLookup, type AddressPolicy } from './address-guard.ts';

export interface GuardedAgents {
  http: HttpAgent;
  https: HttpsAgent;
  /** The one for `url`'s scheme. */
  forUrl: HttpAgent | HttpsAgent;
}

/** Throws RefusedAddressError at once for a refused IP-literal host. */
export function guardedAgents(url: URL, policy: AddressPolicy, signal: AbortSignal): GuardedAgents {
  const lookup = sendTimeLookup(url, policy);
  const options = { keepAlive: false, ...(lookup ? { lookup } : {}) };
  const agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };
  const destroy = () => {
    agents.http.destroy();
    agents.https.destroy();
  };
  if (signal.aborted) destroy();
  else signal.addEventListener('abort', destroy, { once: true });
  return { ...agents, forUrl: url.protocol === 'https:' ? agents.https : agents.http };
}
