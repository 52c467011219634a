// What the connection form asks for each provider (src/connections/providers/*.ts hold the rules;
// the server checks every value again). Typed against the schema's inputs: a provider added to the
// ProviderType enum, or a secret field renamed, fails the type check until this table follows.
import type {
  ConnectionSecretsInput,
  ConnectionSettingsInput,
  HubspotSecretsInput,
  ProviderType,
  S3SecretsInput,
  StripeSecretsInput,
} from '../generated/graphql.ts';
import type { FieldSpec, FormValues } from './form-controller.ts';

type SecretField<Input> = FieldSpec<Extract<keyof Input, string>>;

export interface ProviderForm {
  label: string;
  secretFields: FieldSpec<string>[];
  settingsFields: FieldSpec<Extract<keyof ConnectionSettingsInput, string>>[];
  /** The form's secret values as the API's oneOf input. */
  secretsInput(values: FormValues<string>): ConnectionSecretsInput;
}

/** A write-only field: never prefilled, never offered to the browser's autofill. */
const secret = <Input>(
  name: Extract<keyof Input, string>,
  label: string,
  member: string,
  options: Partial<SecretField<Input>> = {},
): SecretField<Input> => ({
  name,
  label,
  type: 'password',
  autocomplete: 'off',
  path: `input.secrets.${member}.${name}`,
  ...options,
});

/** The given fields only: a blank one is left out, which keeps its stored value on a replacement. */
const given = (values: FormValues<string>, names: string[]) =>
  Object.fromEntries(names.flatMap((name) => (values[name] ? [[name, values[name]]] : [])));

const endpoint: FieldSpec<'endpoint'> = {
  name: 'endpoint',
  label: 'API address',
  type: 'url',
  path: 'input.settings.endpoint',
  hint: 'Only for a regional or self-hosted API; leave empty for the public one.',
};

const fieldsOf = <Input>(member: keyof ConnectionSecretsInput, fields: SecretField<Input>[]) => ({
  secretFields: fields as FieldSpec<string>[],
  // One member of the oneOf input, which TypeScript cannot tell from a computed key.
  secretsInput: (values: FormValues<string>) =>
    ({
      [member]: given(
        values,
        fields.map((field) => field.name),
      ),
    }) as unknown as ConnectionSecretsInput,
});

export const PROVIDER_FORMS: Record<ProviderType, ProviderForm> = {
  STRIPE: {
    label: 'Stripe',
    settingsFields: [endpoint],
    ...fieldsOf<StripeSecretsInput>('stripe', [
      secret('secretKey', 'Secret key', 'stripe', { required: true, hint: 'sk_live_…, sk_test_… or a restricted rk_… key.' }),
      secret('publishableKey', 'Publishable key', 'stripe', { required: true, hint: 'pk_live_… or pk_test_…' }),
      secret('accountId', 'Account ID', 'stripe', { hint: 'acct_…' }),
      secret('webhookSecret', 'Webhook signing secret', 'stripe', { hint: 'whsec_…' }),
    ]),
  },
  HUBSPOT: {
    label: 'HubSpot',
    settingsFields: [endpoint],
    ...fieldsOf<HubspotSecretsInput>('hubspot', [
      secret('accessToken', 'Access token', 'hubspot', { required: true }),
      secret('appId', 'App ID', 'hubspot'),
      secret('clientSecret', 'Client secret', 'hubspot'),
    ]),
  },
  S3: {
    label: 'S3',
    settingsFields: [
      { name: 'bucket', label: 'Bucket', path: 'input.settings.bucket', hint: 'Needed to check the credentials.' },
      { name: 'region', label: 'Region', path: 'input.settings.region', hint: 'e.g. eu-west-3; us-east-1 when empty.' },
      { ...endpoint, hint: 'For an S3-compatible store (MinIO, R2); leave empty for AWS.' },
    ],
    ...fieldsOf<S3SecretsInput>('s3', [
      secret('awsAccessKeyId', 'Access key ID', 's3', { required: true }),
      secret('awsSecretAccessKey', 'Secret access key', 's3', { required: true }),
      secret('awsSessionToken', 'Session token', 's3'),
    ]),
  },
  // Flexprice keeps its key in the generic secrets' `data` object.
  FLEXPRICE: {
    label: 'Flexprice',
    settingsFields: [endpoint],
    secretFields: [
      { ...secret<{ apiKey: string }>('apiKey', 'API key', 'generic', { required: true }), path: 'input.secrets.generic.data' },
    ],
    secretsInput: (values) => ({ generic: { data: given(values, ['apiKey']) } }),
  },
};

export const providerTypes = Object.keys(PROVIDER_FORMS) as ProviderType[];

/** The settings the form gives, blank ones left out (kept on a replacement, the default on creation). */
export const settingsInput = (form: ProviderForm, values: FormValues<string>): ConnectionSettingsInput =>
  given(
    values,
    form.settingsFields.map((field) => field.name),
  );
