// An account session's live events (the EVENTS component's Subscription.events over SSE): its one
// account's events as they commit; refused to a session without EVENTS; ended with the session.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import { LiveEventsDocument, RevokeAccountSessionDocument, SessionCreateConnectionDocument } from '../../generated/graphql.ts';
import { fromPage, givenAccountSession, givenAllowedOrigins } from '../../support/givens/account-sessions.ts';
import { withKey } from '../../support/server.ts';
import { openEventStream } from '../../support/event-stream.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Live Session Platform');
  await givenAllowedOrigins(seed.server, platform);
  return { platform, active: await platform.activeAccount() };
});

/** An SSE stream of `events`, read message by message. */
const subscribe = (headers: Record<string, string>) => openEventStream(world.server, headers, { query: LiveEventsDocument.toString() });

const connection = (headers: Record<string, string>, name: string) =>
  world.server.request(
    SessionCreateConnectionDocument,
    {
      input: {
        name,
        providerType: 'STRIPE',
        secrets: { stripe: { publishableKey: 'pk_live_51SessionPublishable000', secretKey: 'sk_live_51SessionNeverShown99999' } },
      },
    },
    headers,
  );

describe('a session’s live events', () => {
  test('stream its account’s events, and end when the session is revoked', async () => {
    const { id, clientSecret } = await givenAccountSession(world.server, world.platform, world.active.accountId, ['EVENTS', 'CONNECTIONS']);
    const stream = await subscribe(fromPage(clientSecret));
    try {
      expect(stream.response.status).toBe(200);
      const created = await connection(fromPage(clientSecret), 'Live from the page');
      expect(created.data?.createConnection.__typename).toBe('CreateConnectionPayload');
      const message = await stream.next();
      expect(message).toMatchObject({
        event: 'next',
        data: { data: { events: { type: 'connection.created', connectedAccountId: world.active.accountId } } },
      });
      expect(JSON.stringify(message)).not.toContain('sk_live_51SessionNeverShown99999');

      await world.server.request(RevokeAccountSessionDocument, { input: { id } }, withKey(world.platform.apiKey));
      // The client reconnects, and the session being over, it gets 401 then (and fetches a new secret).
      expect(await stream.next()).toMatchObject({ data: { errors: [{ extensions: { code: 'CREDENTIALS_CHANGED' } }] } });
    } finally {
      stream.close();
    }
  });

  test('are refused to a session without EVENTS', async () => {
    const { clientSecret } = await givenAccountSession(world.server, world.platform, world.active.accountId, ['CONNECTIONS']);
    const stream = await subscribe(fromPage(clientSecret));
    try {
      expect(stream.response.status).toBe(403);
      expect(await stream.next()).toMatchObject({
        data: { errors: [{ extensions: { code: 'FORBIDDEN', refusedFields: expect.arrayContaining(['Subscription.events']) } }] },
      });
    } finally {
      stream.close();
    }
  });
});
