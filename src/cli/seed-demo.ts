// `connect seed-demo`: a demo platform on a running server, made through the API as a platform would:
// connected accounts in every state (ACTIVE, SUSPENDED, PENDING, REVOKED), sub-accounts,
// connections, webhook endpoints, and the events all of that records.
import { randomBytes } from 'node:crypto';
import { createOrganization } from './create-organization.ts';
import { graphql, withApiKey, type Server } from './http-client.ts';

const failure = '__typename ... on Error { code message }';

const mutation = (name: string, payload: string) =>
  `mutation($input: ${name[0]?.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${failure} ... on ${name[0]?.toUpperCase()}${name.slice(1)}Payload { ${payload} } } }`;

interface NewAccount {
  id: string;
  token: string;
}

async function account(server: Server, index: number): Promise<NewAccount> {
  const data = await graphql<{ createConnectedAccount: { connectedAccount: { id: string }; onboardingLink: { token: string } } }>(
    server,
    mutation('createConnectedAccount', 'connectedAccount { id } onboardingLink { token }'),
    {
      input: {
        connectionType: 'EXPRESS',
        email: `merchant${index}@demo.example`,
        organizationName: `Demo Merchant ${index}`,
        country: 'FR',
        platformCustomerId: `cus_demo_${index}`,
      },
    },
  );
  const { connectedAccount, onboardingLink } = data.createConnectedAccount;
  return { id: connectedAccount.id, token: onboardingLink.token };
}

/**
 * Completes an account's onboarding as the demo merchant, as its hosted page would once the user
 * signed in (the public completeOnboarding mutation, authenticated by the link's token).
 */
async function onboard(server: Server, account: NewAccount, index: number, merchant: { email: string; password: string }) {
  await graphql(server, mutation('completeOnboarding', 'connectedAccountId'), {
    input: {
      token: account.token,
      ...merchant,
      organizationName: `Demo Merchant ${index}`,
      country: 'FR',
      legalName: `Demo Merchant ${index} SAS`,
    },
  });
}

export async function seedDemo(log: (line: string) => void): Promise<{ apiKey: string; organizationId: string }> {
  const created = await createOrganization({ name: 'Demo Platform', country: 'FR' });
  const server = withApiKey(created.apiKey);
  await graphql(server, mutation('enableConnectPlatform', 'connectPlatform { redirectUrl }'), {
    input: { redirectUrl: 'https://platform.demo.example/connect/done' },
  });
  const accounts: NewAccount[] = [];
  for (let index = 1; index <= 4; index += 1) accounts.push(await account(server, index));
  // A user who onboards two of them (an organization of its own makes the user: the admin mutation is
  // the one way to a user without the hosted sign-up); the second is then suspended, the third waits
  // for its onboarding, the fourth is revoked.
  const merchant = { email: `merchant-${randomBytes(4).toString('hex')}@demo.example`, password: randomBytes(12).toString('base64url') };
  await createOrganization({ name: 'Demo Merchant Holding', country: 'FR', owner: merchant });
  const [active, suspended, , revoked] = accounts as [NewAccount, NewAccount, NewAccount, NewAccount];
  await onboard(server, active, 1, merchant);
  await onboard(server, suspended, 2, merchant);
  await graphql(server, mutation('suspendConnectedAccount', 'connectedAccount { id }'), { input: { id: suspended.id } });
  await graphql(server, mutation('revokeConnectedAccount', 'connectedAccount { id }'), { input: { id: revoked.id } });
  log(`accounts     ${accounts.length} (ACTIVE, SUSPENDED, PENDING, REVOKED)`);
  log(`merchant     ${merchant.email} / ${merchant.password} (signs in on the hosted pages of the first two)`);
  const purpose = await graphql<{ createPermissiblePurpose: { permissiblePurpose: { id: string } } }>(
    server,
    mutation('createPermissiblePurpose', 'permissiblePurpose { id }'),
    { input: { name: 'Billing', description: 'Invoices and payments.' } },
  );
  const permissiblePurposeIds = [purpose.createPermissiblePurpose.permissiblePurpose.id];
  for (let index = 1; index <= 2; index += 1) {
    await graphql(server, mutation('createSubAccount', 'subAccount { id }'), {
      input: {
        accountName: `Demo Branch ${index}`,
        firstName: 'Ada',
        lastName: 'Lovelace',
        emailAddress: `branch${index}@demo.example`,
        address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
        permissiblePurposeIds,
      },
    });
    await graphql(server, mutation('createConnection', 'connection { id }'), {
      input: { name: `Demo billing ${index}`, providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: `fp_demo_${index}` } } } },
    });
  }
  for (const connect of [false, true]) {
    await graphql(server, mutation('createWebhookEndpoint', 'webhookEndpoint { id }'), {
      input: { url: 'http://127.0.0.1:9/demo-hooks', eventTypes: connect ? ['connected_account.*'] : ['*'], connect },
    });
  }
  return { apiKey: created.apiKey, organizationId: created.organizationId };
}
