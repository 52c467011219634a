-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "failingSignaled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "maxDeliveriesPerSecond" INTEGER,
ADD COLUMN     "payloadFragment" TEXT;

-- AlterTable
ALTER TABLE "WebhookQueue" ADD COLUMN     "pacedUntil" TIMESTAMPTZ(3);

-- Ids made in SQL look like every other id (src/core/ids.ts): a prefix and 22 base62 characters,
-- from a CSPRNG (gen_random_uuid: 122 random bits per call), each byte kept only below 248 (4 x 62)
-- so that every character is equally likely. Written by hand: Prisma does not manage functions.
CREATE FUNCTION random_base62(length INT) RETURNS TEXT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  alphabet CONSTANT TEXT := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  result TEXT := '';
  bytes BYTEA;
  byte INT;
BEGIN
  WHILE length(result) < length LOOP
    bytes := uuid_send(gen_random_uuid());
    FOR i IN 0..15 LOOP
      -- Bytes 6 and 8 hold the UUID's version and variant bits: not random.
      CONTINUE WHEN i = 6 OR i = 8;
      byte := get_byte(bytes, i);
      IF byte < 248 AND length(result) < length THEN
        result := result || substr(alphabet, byte % 62 + 1, 1);
      END IF;
    END LOOP;
  END LOOP;
  RETURN result;
END
$$;

-- Deliveries were made as 'whd_' and 32 hex digits: they take the common shape. Nothing refers to a
-- delivery's id but a client that kept one (redeliverWebhook with an old id is then NOT_FOUND).
UPDATE "WebhookDelivery" SET "id" = 'whd_' || random_base62(22) WHERE "id" !~ '^whd_[A-Za-z0-9]{22}$';
