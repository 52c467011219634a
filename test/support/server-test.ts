// vitest's `test` with the file's server as a fixture: started on the first test that names it,
// shared by the file's tests, closed after the last. A file that needs givens chains them the same
// way, each built once per file from the ones before it:
//
//   const test = serverTest().extend('platform', { scope: 'file' }, ({ server }) => givenConnectPlatform(server));
//   test('...', async ({ server, platform }) => { ... });
import { test } from 'vitest';
import { startTestServer, type TestServerOptions } from './server.ts';

export function serverTest(options: TestServerOptions = {}) {
  return test.extend('server', { scope: 'file' }, async ({}, { onCleanup }) => {
    const server = await startTestServer(options);
    onCleanup(() => server.close());
    return server;
  });
}
