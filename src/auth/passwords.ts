// Password hashing with scrypt (memory-hard). The stored form names its parameters, so they can be
// raised later without breaking existing hashes: `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '../core/domain-errors.ts';

/** Every hashing slot is taken and the queue is full: the caller answers 503 with Retry-After. */
export class PasswordHashingBusyError extends Error {
  constructor() {
    super('The server is busy checking passwords: retry in a moment.');
  }
}

/**
 * The hashes this process computes at once. scrypt runs on libuv's thread pool (4 threads), so
 * without a bound a burst of sign-ins takes every core, and the pool DNS and file reads need, away
 * from the requests of everyone else; the rest wait in a bounded queue and beyond it are refused.
 */
class HashingSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limits: { concurrency: number; queue: number }) {}

  configure(limits: { concurrency: number; queue: number }) {
    this.limits = limits;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) {
      if (this.waiting.length >= this.limits.queue) throw new PasswordHashingBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` only drops when nobody waits.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

const slots = new HashingSlots({ concurrency: 1, queue: 32 });

/**
 * Passwords being checked at once for one client (PASSWORD_CHECKS_PER_CLIENT, 2). Only failed
 * sign-ins are limited, and the line above is the process's: an outside probe's valid sign-ins from
 * two addresses (10 at once for each of 4 users of its own) kept it full, and another platform's user
 * got 16 of 16 "busy checking passwords". A client's checks beyond these are refused at once.
 */
let checksPerClient = 2;
const checksInFlight = new Map<string, number>();

/** A check for the client (its release), or null when it has its share under way. */
export function passwordCheckFor(client: string): (() => void) | null {
  const count = checksInFlight.get(client) ?? 0;
  if (count >= checksPerClient) return null;
  checksInFlight.set(client, count + 1);
  return () => {
    const left = (checksInFlight.get(client) ?? 1) - 1;
    if (left === 0) checksInFlight.delete(client);
    else checksInFlight.set(client, left);
  };
}

// 32 MiB per hash, about 100 ms on one core (OWASP's N=2^15, r=8, p=3 profile).
let hashParameters = { N: 2 ** 15, r: 8, p: 3 };

/**
 * Sets this process's bound (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE); the CPU is the
 * process's, so the bound is too. PASSWORD_HASH_COST (log2 N) is lowered by the tests only, where
 * hundreds of hashes check no strength; stored hashes name their parameters, so any cost verifies.
 */
export const limitPasswordHashing = (limits: { concurrency: number; queue: number; cost: number; perClient: number }) => {
  slots.configure(limits);
  checksPerClient = limits.perClient;
  hashParameters = { ...hashParameters, N: 2 ** limits.cost };
};
const KEY_LENGTH = 32;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;

function derive(password: string, salt: Buffer, parameters: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...parameters, maxmem: 256 * parameters.N * parameters.r };
  return slots.run(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
      ),
  );
}

export function validatePassword(password: string, field: string): string {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new ValidationError(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`, [field]);
  }
  return password;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, hashParameters);
  const { N, r, p } = hashParameters;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
