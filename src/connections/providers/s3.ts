// S3 and S3-compatible stores: their keys in secrets.s3, the bucket, region and path style among the
// settings, and the check: the keys may reach settings.bucket (HeadBucket), or without a bucket the
// account answers them (ListBuckets), through the official SDK with settings.endpoint,
// settings.region and settings.forcePathStyle.
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';
import type { Provider } from './provider.ts';

const loadSdk = () => import('@aws-sdk/client-s3');
const DEFAULT_REGION = 'us-east-1';

export const checkS3: ProviderCheck = async ({ secrets, settings, agents, signal, timeoutMs }) => {
  const { HeadBucketCommand, ListBucketsCommand, S3Client, S3ServiceException } = await loadSdk();
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

export const s3: Provider = {
  label: 'S3',
  secrets: {
    kind: 'fields',
    member: 's3',
    inputTypeName: 'S3SecretsInput',
    fields: {
      // AWS's formats; another store's own (MinIO's `minioadmin`, Cloudflare R2's 32-character ids)
      // only where settings.endpoint says the keys are that store's.
      awsAccessKeyId: {
        pattern: /^[A-Z0-9]{16,128}$/,
        patternWithEndpoint: /^\S{1,128}$/,
        required: true,
        format:
          "AWS: 16-128 upper-case letters and digits (AKIA…). With settings.endpoint, the store's own id: 1-128 characters, no spaces.",
      },
      awsSecretAccessKey: {
        pattern: /^\S{16,128}$/,
        patternWithEndpoint: /^\S{1,256}$/,
        required: true,
        format: "AWS: 16-128 characters, no spaces. With settings.endpoint, the store's own secret: 1-256 characters, no spaces.",
      },
      awsSessionToken: { pattern: /^\S{16,4096}$/ },
    },
  },
  // The SDK's own regional endpoint is the default; this one only serves the address guard.
  endpoint: 'https://s3.amazonaws.com',
  settings: {
    // S3's bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens, a letter or digit at each end.
    bucket: {
      format: {
        pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        message: 'must be an S3 bucket name (3-63 lower-case letters, digits, dots or hyphens).',
      },
    },
    // AWS regions (eu-west-3) and the names S3-compatible stores use (auto, garage, us-east-1).
    region: { format: { pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, message: 'must be a region name such as eu-west-3.' } },
    forcePathStyle: {},
  },
  // InvalidAccessKeyId, NoSuchBucket
  errorCode: /^[A-Z][A-Za-z]*$/,
  loadSdk,
  check: checkS3,
  form: {
    secrets: {
      awsAccessKeyId: {
        label: 'Access key ID',
        help: 'In the AWS console under IAM, Security credentials, or in your storage provider’s key settings.',
        shown: true,
      },
      awsSecretAccessKey: { label: 'Secret access key', help: 'Shown once, when the access key was created.' },
      awsSessionToken: { label: 'Session token', help: 'Only for temporary credentials; leave empty otherwise.' },
    },
    settings: {
      bucket: { label: 'Bucket', help: 'The bucket these keys should reach, e.g. my-invoices.' },
      region: { label: 'Region', help: 'For example eu-west-3; leave empty for us-east-1.' },
      endpoint: {
        label: 'Endpoint URL',
        help: 'Only for an S3-compatible store (MinIO, Cloudflare R2, …); leave empty for Amazon S3.',
      },
      forcePathStyle: { label: 'Bucket in the path', help: 'Most S3-compatible stores need it; Amazon S3 does not.' },
    },
  },
};
