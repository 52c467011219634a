// The bounded cache behind the confined clients and their transaction wrappers: what callers name
// cannot make it grow past its bound, and what is in use stays.
import { expect, test } from 'vitest';
import { recentlyUsed } from '../../src/core/recently-used.ts';

test('keeps one value per key, up to its bound, dropping the least recently used', () => {
  const entries = new Map<string, object>();
  const made: string[] = [];
  const get = (key: string) =>
    recentlyUsed(entries, key, 2, () => {
      made.push(key);
      return { key };
    });
  const a = get('a');
  get('b');
  expect(get('a')).toBe(a); // used again: now the most recent
  get('c'); // past the bound: b, the least recently used, goes
  expect([...entries.keys()]).toEqual(['a', 'c']);
  get('b');
  expect(made).toEqual(['a', 'b', 'c', 'b']);
  expect(entries.size).toBe(2);
});
