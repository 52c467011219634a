// Which browser origins each platform allows for its account sessions (ConnectPlatform.allowedOrigins),
// cached per process as one map: CORS preflights, which carry no credential, are answered for an
// origin that some platform allows, and each session request is checked against its own platform's.
// The database names a platform on AUTH_CHANNEL when its origins change (`origins:<id>`), and the map
// is read again on the next request.
import type { Prisma } from '../db/database.ts';
import type { InvalidatedCache } from '../db/invalidated-cache.ts';

export interface PlatformOrigins {
  /** Per platform organization: the origins its sessions may be used from. */
  byPlatform: Map<string, ReadonlySet<string>>;
  /** Every origin some platform allows: what a preflight is answered for. */
  any: ReadonlySet<string>;
}

const ALL = '*';

async function readOrigins(prisma: Prisma): Promise<PlatformOrigins> {
  const platforms = await prisma.connectPlatform.findMany({
    where: { NOT: { allowedOrigins: { isEmpty: true } } },
    select: { organizationId: true, allowedOrigins: true },
  });
  const byPlatform = new Map(platforms.map((platform) => [platform.organizationId, new Set(platform.allowedOrigins)] as const));
  return { byPlatform, any: new Set(platforms.flatMap((platform) => platform.allowedOrigins)) };
}

export async function platformOrigins(prisma: Prisma, cache: InvalidatedCache<PlatformOrigins>): Promise<PlatformOrigins> {
  const cached = cache.get(ALL);
  if (cached) return cached;
  const snapshot = cache.snapshot();
  const origins = await readOrigins(prisma);
  cache.set(ALL, origins, snapshot);
  return origins;
}

/** Any platform's change of origins invalidates the one map. */
export const platformOriginsKey = ALL;
