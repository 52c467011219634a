// A map that keeps what was used last: a cache of things built once and shared (confined clients,
// their transaction wrappers) whose keys come from callers, so that it cannot grow without bound.

/**
 * The value under `key`, made and kept when absent. Past `max` entries the least recently used goes:
 * a Map keeps insertion order, so each use moves its key to the end and the first key is the oldest.
 */
export function recentlyUsed<Value>(entries: Map<string, Value>, key: string, max: number, make: () => Value): Value {
  const known = entries.get(key);
  if (known !== undefined) {
    entries.delete(key);
    entries.set(key, known);
    return known;
  }
  const made = make();
  entries.set(key, made);
  const [oldest] = entries.keys();
  if (entries.size > max && oldest !== undefined) entries.delete(oldest);
  return made;
}
