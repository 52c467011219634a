// Re-encrypts every stored secret under the newest key of ENCRYPTION_KEYS (key rotation):
//   1. add the new key with a higher version to ENCRYPTION_KEYS (keep the old ones), restart the servers;
//   2. run `npm run secrets:reencrypt`; it works in batches and can be interrupted and run again;
//   3. once it reports 0 left, remove the old key from ENCRYPTION_KEYS.
// Webhook endpoints' signing secrets are re-encrypted with the connections' secrets. The stored
// answers of idempotent requests are not: they live 24 hours, so let that pass between steps 1 and
// 3, or a retry of a request made before the rotation fails instead of replaying its answer.
import { loadConfig, loadEnvironmentFile } from '../src/config.ts';
import { reencryptBatch, pendingReencryption } from '../src/connections/service.ts';
import { configuredKeyRing } from '../src/crypto/key-ring.ts';
import { openConfiguredDatabase } from '../src/db/database.ts';
import { pendingWebhookReencryption, reencryptWebhookSecretsBatch } from '../src/webhooks/reencrypt.ts';

const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 100);

loadEnvironmentFile();
const config = loadConfig();
const { ring: keyRing } = await configuredKeyRing(config);
const database = await openConfiguredDatabase({ ...config, databasePoolSize: 2 });
const stores = [
  { what: 'connection secrets', pending: pendingReencryption, batch: reencryptBatch },
  { what: 'webhook signing secrets (endpoints)', pending: pendingWebhookReencryption, batch: reencryptWebhookSecretsBatch },
];
try {
  for (const { what, pending, batch } of stores) {
    const total = await pending(database.prisma, keyRing);
    console.log(`${total} ${what} to re-encrypt under key version ${keyRing.current.version}`);
    let done = 0;
    for (
      let taken = await batch(database.prisma, keyRing, BATCH_SIZE);
      taken > 0;
      taken = await batch(database.prisma, keyRing, BATCH_SIZE)
    ) {
      done += taken;
      console.log(`re-encrypted ${done}/${total}`);
    }
    console.log(`done: ${await pending(database.prisma, keyRing)} ${what} left under older keys`);
  }
} finally {
  await database.close();
}
