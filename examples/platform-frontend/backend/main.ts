// `CONNECT_URL=… CONNECT_API_KEY=mk_live_… npx tsx examples/platform-frontend/backend/main.ts`
import { startPlatformBackend } from './platform-backend.ts';

const { CONNECT_URL, CONNECT_API_KEY, CONNECT_ACCOUNT_ID, DEMO_CUSTOMER_EMAIL, PORT = '4100' } = process.env;
if (!CONNECT_URL || !CONNECT_API_KEY) {
  console.error('Set CONNECT_URL (e.g. http://localhost:4000) and CONNECT_API_KEY (the platform’s mk_live_… key).');
  process.exit(1);
}
const backend = await startPlatformBackend({
  connectUrl: CONNECT_URL,
  apiKey: CONNECT_API_KEY,
  ...(CONNECT_ACCOUNT_ID ? { accountId: CONNECT_ACCOUNT_ID } : {}),
  ...(DEMO_CUSTOMER_EMAIL ? { customerEmail: DEMO_CUSTOMER_EMAIL } : {}),
  port: Number(PORT),
});
console.log(`Platform backend on ${backend.url}: POST /session mints an account session`);
