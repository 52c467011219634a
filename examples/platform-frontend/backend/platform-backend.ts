// The platform's own backend, as small as it gets: it holds the Connect API key (never the browser)
// and answers POST /session with a fresh account session's client secret for the signed-in
// customer's connected account. Here the "signed-in customer" is one demo EXPRESS account, created
// on the first request; a real platform looks up the account of the user its own login identified.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestConnect } from '../connect-request.ts';
import type { AccountSessionComponent, TypedDocumentString } from '../generated/graphql.ts';
import { createAccountSessionDocument, createExpressAccountDocument } from './connect-documents.ts';

export interface PlatformBackendOptions {
  connectUrl: string;
  /** The platform's production API key (`mk_live_…`): only those may mint sessions. */
  apiKey: string;
  /** The demo customer's connected account; without it, a new EXPRESS account is created for `customerEmail`. */
  accountId?: string;
  /** The demo customer's e-mail, which the onboarding suggests. */
  customerEmail?: string;
  port?: number;
}

/** Every component the page mounts: a session grants exactly these. */
const COMPONENTS: AccountSessionComponent[] = ['ACCOUNT_ONBOARDING', 'ACCOUNT_MANAGEMENT', 'NOTIFICATION_BANNER', 'CONNECTIONS', 'EVENTS'];

export async function startPlatformBackend({
  connectUrl,
  apiKey,
  accountId,
  customerEmail = 'owner@demo-shop.example',
  port = 0,
}: PlatformBackendOptions) {
  const connect = <Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables) =>
    requestConnect(connectUrl, apiKey, document, variables);

  let account: Promise<string> | null = accountId ? Promise.resolve(accountId) : null;
  const demoAccount = () => {
    account ??= connect(createExpressAccountDocument, {
      input: { connectionType: 'EXPRESS', email: customerEmail, organizationName: 'Demo Shop', country: 'DE' },
    }).then(({ createConnectedAccount: result }) => {
      if (result.__typename !== 'CreateConnectedAccountPayload') throw new Error(`createConnectedAccount: ${JSON.stringify(result)}`);
      return result.connectedAccount.id;
    });
    account.catch(() => {
      account = null;
    });
    return account;
  };

  async function mintSession(): Promise<string> {
    const { createAccountSession: result } = await connect(createAccountSessionDocument, {
      input: { connectedAccountId: await demoAccount(), components: COMPONENTS },
    });
    if (result.__typename !== 'CreateAccountSessionPayload') throw new Error(`createAccountSession: ${JSON.stringify(result)}`);
    return result.clientSecret;
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (request.method !== 'POST' || request.url !== '/session') return response.writeHead(404).end();
    try {
      const clientSecret = await mintSession();
      // Never cached: a client secret is shown once.
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ clientSecret }));
    } catch (error) {
      console.error(error);
      response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Connect refused the session' }));
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The demo customer's account (created on the first session). */
    accountId: demoAccount,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
