// Runs the example against a server: CONNECT_API_KEY=<key> [CONNECT_URL=http://localhost:4000] npx tsx examples/typed-client/main.ts
import { createExpressAccount, whoAmI } from './accounts.js';
import { connectClient, ConnectRequestError, type Execute } from './client.js';

async function main(execute: Execute) {
  const viewer = await whoAmI(execute);
  console.log(`Acting as ${viewer.organization.name} (organization ${viewer.organizationId}, tenant ${viewer.tenantId}).`);

  const creation = await createExpressAccount(execute, { email: 'owner@shop.example', organizationName: 'Example Shop', country: 'FR' });
  switch (creation.outcome) {
    case 'created':
      console.log(`Created ${creation.accountId} (${creation.status}); send its owner to ${creation.onboardingUrl}`);
      break;
    case 'invalid-input':
      console.log(`Invalid ${creation.fields.join(', ')}: ${creation.message}`);
      break;
    case 'connect-not-enabled':
      console.log(creation.message);
      break;
  }
}

const apiKey = process.env.CONNECT_API_KEY;
if (!apiKey) {
  console.error('Set CONNECT_API_KEY (the curl printed by `npm start` creates an organization and its first key).');
  process.exit(1);
}
await main(connectClient({ url: process.env.CONNECT_URL ?? 'http://localhost:4000', apiKey })).catch((error: unknown) => {
  // Who-is-asking failures (bad key, rate limit) are request errors, not members of a result union.
  if (!(error instanceof ConnectRequestError)) throw error;
  console.error(`${error.code ?? 'ERROR'} (HTTP ${error.status}): ${error.message}`);
  process.exit(1);
});
