// Re-encrypts every stored secret under the newest key of ENCRYPTION_KEYS (key rotation):
//   1. add the new key with a higher version to ENCRYPTION_KEYS (keep the old ones), restart the servers;
//   2. run `npm run secrets:reencrypt`; it works in batches and can be interrupted and run again;
//   3. once it reports 0 left, remove the old key from ENCRYPTION_KEYS.
import { loadConfig } from '../src/config.ts';
import { reencryptBatch, pendingReencryption } from '../src/connections/service.ts';
import { configuredKeyRing } from '../src/crypto/key-ring.ts';
import { openConfiguredDatabase } from '../src/db/database.ts';

const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 100);

const config = loadConfig();
const { ring: keyRing } = await configuredKeyRing(config);
const database = await openConfiguredDatabase({ ...config, databasePoolSize: 2 });
try {
  const total = await pendingReencryption(database.prisma, keyRing);
  console.log(`${total} connection secrets to re-encrypt under key version ${keyRing.current.version}`);
  let done = 0;
  for (let batch = await reencryptBatch(database.prisma, keyRing, BATCH_SIZE); batch > 0; batch = await reencryptBatch(database.prisma, keyRing, BATCH_SIZE)) {
    done += batch;
    console.log(`re-encrypted ${done}/${total}`);
  }
  console.log(`done: ${await pendingReencryption(database.prisma, keyRing)} left under older keys`);
} finally {
  await database.close();
}
