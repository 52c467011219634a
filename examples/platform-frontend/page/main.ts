// The platform's page: loads connect.js from the Connect server, mounts the five components with
// account sessions its own backend mints (POST /session), and runs one typed query of its own with
// the same session.
import type { ConnectComponentName, ConnectErrorDetail, LoadConnect } from '../../../embed/public-types.ts';
import { requestConnect } from '../connect-request.ts';
import { sessionSummaryDocument } from './page-documents.ts';

declare const CONNECT_URL: string;

// Loaded at run time from Connect itself, like Stripe's connect.js: always the server's own version.
const { loadConnect } = (await import(/* @vite-ignore */ `${CONNECT_URL}/embed/v1/connect.js`)) as { loadConnect: LoadConnect };

let clientSecret: Promise<string> | null = null;
/** A fresh session from the backend; the components call it again when theirs ended. */
function fetchClientSecret(): Promise<string> {
  clientSecret = fetch('/session', { method: 'POST' }).then(async (response) => {
    if (!response.ok) throw new Error(`The platform's backend answered ${response.status}`);
    return ((await response.json()) as { clientSecret: string }).clientSecret;
  });
  return clientSecret;
}

const connect = loadConnect({
  apiUrl: CONNECT_URL,
  fetchClientSecret,
  appearance: { colorPrimary: '#0f5132', borderRadius: '10px', fontFamily: 'system-ui, sans-serif' },
});

const slots: [slot: string, component: ConnectComponentName][] = [
  ['banner', 'connect-notification-banner'],
  ['onboarding', 'connect-account-onboarding'],
  ['management', 'connect-account-management'],
  ['connections', 'connect-connections'],
  ['events', 'connect-events'],
];
for (const [slot, component] of slots) document.getElementById(slot)?.append(connect.create(component));

const messages = document.getElementById('page-messages');
document.addEventListener('connect:onboarding-complete', () => {
  if (messages) messages.textContent = 'Welcome aboard: your account is ready.';
  void showSessionSummary();
});
document.addEventListener('connect:error', (event) => {
  const { code, message } = (event as CustomEvent<ConnectErrorDetail>).detail;
  console.warn(`Connect: ${code}: ${message}`);
});

/** The page's own typed query, with the session the components use. */
async function showSessionSummary() {
  const summary = document.getElementById('session-summary');
  const { accountSession } = await requestConnect(CONNECT_URL, await (clientSecret ?? fetchClientSecret()), sessionSummaryDocument);
  if (summary && accountSession) {
    const until = new Date(accountSession.expiresAt).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });
    summary.textContent = `${accountSession.branding.platformName} · account ${accountSession.accountStatus.toLowerCase()} · session until ${until}`;
  }
}
void showSessionSummary();
