// A NUL character, which PostgreSQL refuses in text and JSON, in any argument of any operation: a
// VALIDATION error naming every path at fault, never "Unexpected error." nor an error in the log.
// Names shown to people also refuse control characters and bidirectional overrides.
import { isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { schema } from '../../src/schema.ts';
import { onboardingForm } from '../support/givens/connect.ts';
import { ADMIN_SECRET, withKey } from '../support/server.ts';
import { fromPage, givenAccountSession, givenAllowedOrigins } from '../support/givens/account-sessions.ts';

const { test, world } = platformWorld({ environment: { RATE_LIMIT_PER_SECOND: '0' } }, async (seed) => {
  const platform = await seed.connectPlatform('NUL Platform');
  await givenAllowedOrigins(seed.server, platform);
  const { account: pending } = await platform.expressAccount();
  const onboarding = await givenAccountSession(seed.server, platform, pending.id, ['ACCOUNT_ONBOARDING']);
  return { platform, onboardingSecret: onboarding.clientSecret };
});

const NUL_TEXT = 'a\u0000b';

/** Valid values for the scalars a NUL cannot reach (their parsers refuse it at coercion). */
const validScalars: Record<string, unknown> = {
  Int: 1,
  Boolean: true,
  EmailAddress: 'someone@example.com',
  CountryCode: 'FR',
  URL: 'https://example.com/',
  PhoneNumber: '+14155550123',
  DateTime: '2026-01-01T00:00:00Z',
};

/**
 * An input with every field given (one member of a @oneOf): a NUL in every String, ID and JSON
 * value, valid values elsewhere. Returns the value and the paths that hold a NUL.
 */
function inputWithNul(type: GraphQLInputType, path: string, depth = 0): { value: unknown; paths: string[] } {
  if (isNonNullType(type)) return inputWithNul(type.ofType, path, depth);
  if (isListType(type)) {
    const item = inputWithNul(type.ofType, `${path}[0]`, depth + 1);
    return { value: [item.value], paths: item.paths };
  }
  if (isEnumType(type)) return { value: type.getValues()[0]?.name, paths: [] };
  if (isScalarType(type)) {
    if (type.name === 'String' || type.name === 'ID') return { value: NUL_TEXT, paths: [path] };
    if (type.name === 'JSON' || type.name === 'JSONObject') return { value: { note: NUL_TEXT }, paths: [`${path}.note`] };
    return { value: validScalars[type.name], paths: [] };
  }
  if (isInputObjectType(type) && depth < 5) {
    const fields = Object.values(type.getFields());
    const given = type.isOneOf ? fields.slice(0, 1) : fields;
    const entries = given.map((field) => [field.name, inputWithNul(field.type, `${path}.${field.name}`, depth + 1)] as const);
    return {
      value: Object.fromEntries(entries.map(([name, { value }]) => [name, value])),
      paths: entries.flatMap(([, { paths }]) => paths),
    };
  }
  return { value: null, paths: [] };
}

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const response = await world.server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: JSON.parse(text) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

/**
 * Every mutation's caller: the platform's own key (and the admin secret, for createOrganization); the
 * embedded onboarding's, which only an account session may call, a session's page.
 */
const caller = (mutation: string) =>
  mutation.startsWith('embeddedOnboarding')
    ? fromPage(world.onboardingSecret)
    : { ...withKey(world.platform.apiKey), 'x-admin-secret': ADMIN_SECRET };

const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
/** Each mutation whose input can hold text (configureConnectOAuth, for one, takes only URLs and scalars). */
const textMutations = mutations.filter((field) => {
  const inputArgument = field.args.find((argument) => argument.name === 'input');
  return inputArgument !== undefined && inputWithNul(inputArgument.type, 'input').paths.length > 0;
});

describe('a NUL character in any input', () => {
  test('covers the mutations', () => {
    expect(mutations.every((field) => field.args.some((argument) => argument.name === 'input'))).toBe(true);
    // The ones that take no text: URLs and scalars (configureConnectOAuth), an e-mail address alone (embeddedOnboardingSignUp).
    const withoutText = mutations.filter((field) => !textMutations.includes(field)).map((field) => field.name);
    expect(withoutText.sort()).toEqual(['configureConnectOAuth', 'embeddedOnboardingSignUp']);
  });

  test.each(textMutations.map((field) => [field.name, field] as const))(
    '%s: VALIDATION naming every field that holds one',
    async (name, field) => {
      const inputArgument = field.args.find((argument) => argument.name === 'input');
      if (!inputArgument) return expect.fail(`${name} takes no input`);
      const { value, paths } = inputWithNul(inputArgument.type, 'input');
      const query = `mutation($input: ${String(inputArgument.type)}) { ${name}(input: $input) { __typename ... on ValidationError { code fields } ... on Error { code message } } }`;
      const before = world.server.logs().length;
      const { status, text, body } = await post(query, { input: value }, caller(name));

      expect(status, text).toBe(200);
      expect(body.errors, text).toBeUndefined();
      expect(body.data?.[name], text).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', fields: [...paths].sort() });
      expect(text).not.toMatch(/Unexpected error/);
      expect(world.server.logs().slice(before)).not.toMatch(/"level":"error"/);
    },
  );

  test('in a query argument: the result union names it, a field without one answers a top-level VALIDATION error', async () => {
    const before = world.server.logs().length;
    const session = await post(
      'query($token: String!) { onboardingSession(token: $token) { __typename ... on ValidationError { fields } } }',
      { token: NUL_TEXT },
      {},
    );
    expect(session.body.data?.onboardingSession, session.text).toEqual({ __typename: 'ValidationError', fields: ['token'] });

    const account = await post(
      'query($id: ID!) { connectedAccount(id: $id) { id } }',
      { id: `cacc_${NUL_TEXT}` },
      withKey(world.platform.apiKey),
    );
    expect(account.body.data, account.text).toEqual({ connectedAccount: null });
    expect(account.body.errors?.[0]?.extensions, account.text).toMatchObject({ code: 'VALIDATION', fields: ['id'] });

    // A nested connection's arguments are read by its parent's query: refused before it runs.
    const nested = await post(
      'query($after: String) { connectedAccounts(first: 1) { nodes { events(after: $after) { totalCount } } } }',
      { after: NUL_TEXT },
      withKey(world.platform.apiKey),
    );
    expect(nested.body.errors?.[0]?.extensions, nested.text).toMatchObject({
      code: 'VALIDATION',
      fields: ['connectedAccounts.nodes.events(after)'],
    });

    for (const text of [session.text, account.text, nested.text]) expect(text).not.toMatch(/Unexpected error/);
    expect(world.server.logs().slice(before)).not.toMatch(/"level":"error"/);
  });

  test('in the unauthenticated completeOnboarding, JSON included, names only the fields at fault', async () => {
    const { token } = await world.platform.expressAccount();
    const form = onboardingForm(token, { city: `Ber${NUL_TEXT}`, vatNumber: NUL_TEXT });
    const query =
      'mutation($input: CompleteOnboardingInput!) { completeOnboarding(input: $input) { __typename ... on ValidationError { fields } } }';
    const { body, text } = await post(query, { input: form }, {});
    expect(body.data?.completeOnboarding, text).toEqual({ __typename: 'ValidationError', fields: ['input.city', 'input.vatNumber'] });
  });
});

describe('a name shown to people', () => {
  const refused = ['Acme\u202Egnp.exe', 'Acme\u001b[31m', 'Acme\r\nInjected: yes', 'Acme\u2066x\u2069', 'Acme\u0085'];

  test.each(refused.map((name) => [JSON.stringify(name), name]))('refuses %s with VALIDATION naming the field', async (_label, name) => {
    const key = withKey(world.platform.apiKey);
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['createApiKey', 'CreateApiKeyInput', { name }, 'input.name'],
      [
        'createConnection',
        'CreateConnectionInput',
        { name, providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: 'k' } } } },
        'input.name',
      ],
      [
        'createConnectedAccount',
        'CreateConnectedAccountInput',
        { connectionType: 'EXPRESS', email: 'x@merchant.example', organizationName: name, country: 'FR' },
        'input.organizationName',
      ],
      [
        'createConnectedAccount',
        'CreateConnectedAccountInput',
        { connectionType: 'EXPRESS', email: 'y@merchant.example', organizationName: 'Fine', country: 'FR', platformCustomerId: name },
        'input.platformCustomerId',
      ],
      ['createPermissiblePurpose', 'CreatePermissiblePurposeInput', { name }, 'input.name'],
      ['createOrganization', 'CreateOrganizationInput', { name, country: 'FR' }, 'input.name'],
    ];
    for (const [mutation, inputType, input, field] of cases) {
      const query = `mutation($input: ${inputType}!) { ${mutation}(input: $input) { __typename ... on ValidationError { fields } } }`;
      const { body, text } = await post(query, { input }, { ...key, 'x-admin-secret': ADMIN_SECRET });
      expect(body.data?.[mutation], `${mutation}: ${text}`).toEqual({ __typename: 'ValidationError', fields: [field] });
    }
  });

  test('accepts letters of every script, accents and emoji', async () => {
    const query = 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }';
    const { body, text } = await post(query, { input: { name: 'Zürich 東京 مرحبا 🚀' } }, withKey(world.platform.apiKey));
    expect(body.data?.createApiKey, text).toEqual({ __typename: 'CreateApiKeyPayload' });
  });
});
