// S3 and S3-compatible stores: the keys may reach settings.bucket (HeadBucket), or without a bucket
// the account answers them (ListBuckets), through the official SDK with settings.endpoint,
// settings.region and settings.forcePathStyle.
import { HeadBucketCommand, ListBucketsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';

const DEFAULT_REGION = 'us-east-1';

export const checkS3: ProviderCheck = async ({ secrets, settings, agents, signal, timeoutMs }) => {
  const credentials = {
    accessKeyId: requiredSecret(secrets, 'awsAccessKeyId', 'secrets.s3.awsAccessKeyId'),
    secretAccessKey: requiredSecret(secrets, 'awsSecretAccessKey', 'secrets.s3.awsSecretAccessKey'),
    ...(typeof secrets.awsSessionToken === 'string' ? { sessionToken: secrets.awsSessionToken } : {}),
  };
  const client = new S3Client({
    region: settings.region ?? DEFAULT_REGION,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, httpAgent: agents.http, httpsAgent: agents.https },
  });
  try {
    const options = { abortSignal: signal };
    if (settings.bucket) await client.send(new HeadBucketCommand({ Bucket: settings.bucket }), options);
    else await client.send(new ListBucketsCommand({ MaxBuckets: 1 }), options);
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (error instanceof S3ServiceException && status) throw new ProviderAnswer(status, error.name);
    throw error;
  } finally {
    client.destroy();
  }
};
