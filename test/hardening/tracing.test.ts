// With OTEL_EXPORTER_OTLP_ENDPOINT, operations are exported as spans: a fake OTLP/HTTP collector
// receives them, named after the operation, without variables.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateApiKeyDocument } from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

let collector: Server;
const received: string[] = [];
let server: TestServer;
let serverClosed = false;

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(`${request.url} ${Buffer.concat(chunks).toString()}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as { port: number };
  server = await startTestServer({ environment: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
});
afterAll(async () => {
  if (!serverClosed) await server?.close();
  collector?.close();
});

it('exports a span per operation to the OTLP endpoint, never the variables', async () => {
  const platform = await givenOrganization(server, 'Traced');
  await server.request(CreateApiKeyDocument, { input: { name: 'secret-looking-name-42' } }, withKey(platform.apiKey));
  await server.close(); // flushes the batch
  serverClosed = true;
  const exported = received.join('\n');
  expect(exported).toContain('/v1/traces');
  expect(exported).toContain('CreateApiKey');
  expect(exported).not.toContain('secret-looking-name-42');
  expect(exported).not.toContain(platform.apiKey);
});
