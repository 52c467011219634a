// `connect seed-demo`: a demo platform on a running server, made through the API as a platform would:
// connected accounts (pending, revoked), sub-accounts, connections, webhook endpoints, and the events
// all of that records.
import { createOrganization } from './create-organization.ts';
import { graphql, withApiKey, type Server } from './http-client.ts';

const failure = '__typename ... on Error { code message }';

const mutation = (name: string, payload: string) =>
  `mutation($input: ${name[0]?.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${failure} ... on ${name[0]?.toUpperCase()}${name.slice(1)}Payload { ${payload} } } }`;

async function account(server: Server, index: number): Promise<string> {
  const data = await graphql<{ createConnectedAccount: { connectedAccount: { id: string } } }>(
    server,
    mutation('createConnectedAccount', 'connectedAccount { id }'),
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
  return data.createConnectedAccount.connectedAccount.id;
}

export async function seedDemo(log: (line: string) => void): Promise<{ apiKey: string; organizationId: string }> {
  const created = await createOrganization({ name: 'Demo Platform', country: 'FR' });
  const server = withApiKey(created.apiKey);
  await graphql(server, mutation('enableConnectPlatform', 'connectPlatform { redirectUrl }'), {
    input: { redirectUrl: 'https://platform.demo.example/connect/done' },
  });
  const accounts = [];
  for (let index = 1; index <= 4; index += 1) accounts.push(await account(server, index));
  // Pending until their users onboard on the hosted pages (the links are in the events); one revoked.
  await graphql(server, mutation('revokeConnectedAccount', 'connectedAccount { id status }'), { input: { id: accounts[3] } });
  log(`accounts     ${accounts.length} (one revoked; the others wait for their onboarding)`);
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
