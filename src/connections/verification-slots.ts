// How many provider checks run at once in this process. A check holds an outbound socket, an SDK's
// memory and up to its deadline (CONNECTION_VERIFY_TIMEOUT_MS); without a bound, one key's request rate keeps hundreds against
// a silent host. At most one check per connection, VERIFICATIONS_PER_ORGANIZATION per accountable
// organization (a platform with its sandboxes, sub-accounts and accounts: per tenant, 4 tenants took
// all 16) and VERIFICATIONS_PER_PROCESS in all: verifyConnection beyond them is refused (429
// RATE_LIMITED, see service.ts), the background re-verification waits for a slot.
import { RateLimitExceededError } from '../auth/rate-limits.ts';

export const VERIFICATIONS_PER_ORGANIZATION = 4;
export const VERIFICATIONS_PER_PROCESS = 16;

type Release = () => void;
/** A connection to check, and who answers for the check: the caller's, or the connection's tenant's, accountable organization. */
export interface Checked {
  id: string;
  accountableOrganizationId: string;
}

const running = new Set<string>();
const perOrganization = new Map<string, number>();
let waiting: (() => void)[] = [];

/** Why `connection` cannot be checked now, or null. */
function refusalOf({ id, accountableOrganizationId }: Checked): string | null {
  if (running.has(id)) return `Connection ${id} is being verified already`;
  if ((perOrganization.get(accountableOrganizationId) ?? 0) >= VERIFICATIONS_PER_ORGANIZATION) {
    return `This organization has ${VERIFICATIONS_PER_ORGANIZATION} verifications in flight, the most it may`;
  }
  if (running.size >= VERIFICATIONS_PER_PROCESS) return 'The server has too many verifications in flight';
  return null;
}

function take({ id, accountableOrganizationId }: Checked): Release {
  running.add(id);
  perOrganization.set(accountableOrganizationId, (perOrganization.get(accountableOrganizationId) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    running.delete(id);
    const left = (perOrganization.get(accountableOrganizationId) ?? 1) - 1;
    if (left === 0) perOrganization.delete(accountableOrganizationId);
    else perOrganization.set(accountableOrganizationId, left);
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
}

/**
 * A slot for a request's check, or RateLimitExceededError (429 with Retry-After): the refused caller
 * retries once a running check is surely over, its deadline `timeoutMs` past.
 */
export function verificationSlot(connection: Checked, timeoutMs: number): Release {
  const refusal = refusalOf(connection);
  const retryAfterSeconds = Math.ceil(timeoutMs / 1000);
  if (refusal) throw new RateLimitExceededError(retryAfterSeconds, `${refusal}: retry in ${retryAfterSeconds} s.`);
  return take(connection);
}

/**
 * A slot for a background check once one is free, or null when the connection is being checked
 * already (by a request): that check's result is recorded, a second one would tell nothing new.
 */
export async function backgroundVerificationSlot(connection: Checked): Promise<Release | null> {
  for (;;) {
    if (running.has(connection.id)) return null;
    if (!refusalOf(connection)) return take(connection);
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
}
