// Recognising the database errors that business rules turn into typed errors.

/** A unique constraint refused the write (Prisma's P2002), e.g. two concurrent creations of one thing. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}
