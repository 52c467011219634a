// How many Prisma operations a request costs: what the tests that prove a list has no N+1 count.
import { AsyncLocalStorage } from 'node:async_hooks';
import { vi } from 'vitest';
import type { TestServer } from './server.ts';

interface Operation {
  model?: string;
  action?: string;
}

/** The key's lookup by its secret's hash and its lastUsedAt write (src/auth/api-key-authentication.ts). */
const isAuthentication = ({ model, action }: Operation) => model === 'ApiKey' && (action === 'findUnique' || action === 'update');

/**
 * Runs `request` and counts its Prisma operations, the confined client's and the cross-tenant reads'
 * alike: all go through the client's `_executeRequest` (Prisma's internal name, spied on here only).
 * Only what runs inside the request counts: the background workers (webhooks, e-mail) share the
 * client and may run a round meanwhile. Authenticating the key is left out too (reading it when
 * the per-process cache lacks it, and writing its lastUsedAt once a minute): it falls in whichever
 * request comes first, and is no list's cost.
 */
export async function prismaOperationsOf<T>(server: TestServer, request: () => Promise<T>): Promise<{ count: number; result: T }> {
  const client = server.prisma as unknown as { _executeRequest: (operation: Operation) => unknown };
  const original = client._executeRequest.bind(client);
  const inRequest = new AsyncLocalStorage<true>();
  let count = 0;
  const spy = vi.spyOn(client, '_executeRequest').mockImplementation((operation) => {
    if (inRequest.getStore() && !isAuthentication(operation)) count += 1;
    return original(operation);
  });
  try {
    const result = await inRequest.run(true, request);
    return { count, result };
  } finally {
    spy.mockRestore();
    // On Node 20 a storage left enabled keeps a hook on every promise the worker makes from then on:
    // the later test files of the same worker spent a fifth of their CPU in it.
    inRequest.disable();
  }
}
