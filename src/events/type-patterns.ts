// What an endpoint or a subscription may name in its event types: an exact type, `*` (all), or
// `<prefix>.*` (every type under that prefix: `connected_account.*`). A pattern that matches no
// known type is refused, so that a typo never silently matches nothing.
import { eventTypes, isEventType } from './event-types.ts';

export const ALL_TYPES = '*';

const isPrefixPattern = (pattern: string) => pattern.endsWith('.*') && pattern.length > 2;

/** True when the pattern names a known type, all of them, or a prefix some known type has. */
export function isKnownPattern(pattern: string): boolean {
  if (pattern === ALL_TYPES || isEventType(pattern)) return true;
  if (!isPrefixPattern(pattern)) return false;
  const prefix = pattern.slice(0, -1);
  return eventTypes.some((type) => type.startsWith(prefix));
}

/**
 * Every pattern that matches the type: `*`, each of its prefixes with `.*`, and itself. An
 * endpoint wants the event when its patterns and these overlap (one array comparison in SQL).
 */
export function patternsMatching(type: string): string[] {
  const parts = type.split('.');
  const prefixes = parts.slice(1).map((_part, index) => `${parts.slice(0, index + 1).join('.')}.*`);
  return [ALL_TYPES, ...prefixes, type];
}

/** The known types the patterns name. */
export function typesNamedBy(patterns: readonly string[]): string[] {
  return eventTypes.filter((type) => patternsMatching(type).some((pattern) => patterns.includes(pattern)));
}
