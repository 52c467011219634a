// Secrets shown once: a key's plaintext or a link's token is attached to the row object that the
// creating mutation returns, and to nothing else. Every other read of the same row (a query, a
// later request) loads a new object, so the field resolves to null there.

export function shownOnce<Row extends object>() {
  const secrets = new WeakMap<Row, string>();
  return {
    /** Returns the row, which now shows the secret in this response. */
    attach(row: Row, secret: string): Row {
      secrets.set(row, secret);
      return row;
    },
    read(row: Row): string | null {
      return secrets.get(row) ?? null;
    },
  };
}
