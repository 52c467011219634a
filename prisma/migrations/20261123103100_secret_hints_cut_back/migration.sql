-- Hints written before this migration showed the last four characters of any secret of 12 or more
-- characters, and up to 8 characters before an underscore: a 12-character secret whole. A hint now
-- shows at most the last four characters of a secret part of 16 or more, after the provider's public
-- prefix (src/connections/secrets.ts). The secrets are encrypted, so the old hints cannot be
-- recomputed here: each is cut back to its public prefix (`sk_live_…`, or `…`). The next update of a
-- connection's secrets writes full hints again.
UPDATE "Connection"
SET "secretHints" = (
  SELECT coalesce(
    jsonb_object_agg(
      "hint"."key",
      coalesce(substring("hint"."value" #>> '{}' from '^((?:sk|rk|pk)_(?:live|test)_|whsec_|acct_)'), '') || '…'
    ),
    '{}'::jsonb
  )
  FROM jsonb_each("secretHints") AS "hint"
)
WHERE jsonb_typeof("secretHints") = 'object' AND "secretHints" <> '{}'::jsonb;
