// Recognising the database errors that business rules turn into typed errors.

/** A unique constraint refused the write (Prisma's P2002), e.g. two concurrent creations of one thing. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}

/** The row an update or delete named was not there (Prisma's P2025), e.g. its condition no longer held. */
export function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2025';
}

/** Prisma's codes for "cannot reach / lost / timed out waiting for" the database server. */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_MESSAGES =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect|Can't reach database|the database system is (shutting down|starting up)|terminating connection/i;

/** The database server is down or unreachable: a reason to answer 503, not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (error.name === 'PrismaClientInitializationError') return true;
  return UNAVAILABLE_MESSAGES.test(error.message) || (error.cause !== undefined && isDatabaseUnavailable(error.cause));
}
