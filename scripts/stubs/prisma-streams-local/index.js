// See package.json: what `prisma dev` would load for its durable streams. This project runs the
// embedded database (PGlite) or PostgreSQL instead of `prisma dev`, so nothing here is ever called.
export async function startLocalDurableStreamsServer() {
  throw new Error(
    '@prisma/streams-local is replaced by a stub in this project (package.json overrides): `prisma dev` is not supported here; use `npm run dev` (embedded PGlite) or DATABASE_URL.',
  );
}
