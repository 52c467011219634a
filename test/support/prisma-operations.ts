// How many Prisma operations a request costs: what the tests that prove a list has no N+1 count.
import { vi } from 'vitest';
import type { TestServer } from './server.ts';

interface Operation {
  model?: string;
  action?: string;
}

/** The key's lookup by its secret's hash and its lastUsedAt write (src/auth/api-key-authentication.ts). */
const isAuthentication = (model?: string, action?: string) => model === 'ApiKey' && (action === 'findUnique' || action === 'update');

/**
 * Runs `request` and counts its Prisma operations, the confined client's and the cross-tenant reads'
 * alike: all go through the client's `_executeRequest` (Prisma's internal name, spied on here only).
 * Authenticating the key is left out (reading it when the per-process cache lacks it, and writing
 * its lastUsedAt once a minute): it falls in whichever request comes first, and is no list's cost.
 */
export async function prismaOperationsOf<T>(server: TestServer, request: () => Promise<T>): Promise<{ count: number; result: T }> {
  const client = server.prisma as unknown as { _executeRequest: (operation: Operation) => unknown };
  const operations = vi.spyOn(client, '_executeRequest');
  try {
    const result = await request();
    const count = operations.mock.calls.filter(([{ model, action }]) => !isAuthentication(model, action)).length;
    return { count, result };
  } finally {
    operations.mockRestore();
  }
}
