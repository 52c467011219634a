// S3 and S3-compatible stores: the keys may reach settings.bucket (HeadBucket), through the official
// SDK with settings.endpoint, settings.region and settings.forcePathStyle.
import { HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { MissingSetting, ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';

const DEFAULT_REGION = 'us-east-1';

export const checkS3: ProviderCheck = async ({ secrets, settings, agents, signal, timeoutMs }) => {
  const credentials = {
    accessKeyId: requiredSecret(secrets, 'awsAccessKeyId', 'secrets.s3.awsAccessKeyId'),
    secretAccessKey: requiredSecret(secrets, 'awsSecretAccessKey', 'secrets.s3.awsSecretAccessKey'),
    ...(typeof secrets.awsSessionToken === 'string' ? { sessionToken: secrets.awsSessionToken } : {}),
  };
  if (!settings.bucket) throw new MissingSetting('settings.bucket is not set: there is no bucket to check');
  const client = new S3Client({
    region: settings.region ?? DEFAULT_REGION,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, httpAgent: agents.http, httpsAgent: agents.https },
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: settings.bucket }), { abortSignal: signal });
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (error instanceof S3ServiceException && status) throw new ProviderAnswer(status, error.name);
    throw error;
  } finally {
    client.destroy();
  }
};
