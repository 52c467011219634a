// Who receives an event, written once: `recipientRule` below. It is compiled into the three forms
// that need it, so they cannot disagree:
// - a Prisma `where` and an `allows` test, for the Event confinement rule (confinement-rules.ts):
//   what a caller's `events`, `event(id)` and `events` subscription show;
// - the SQL function `event_reaches`, created by migration 20261207201500_event_recipients from
//   `recipientFunctionSql()` (a test checks the migration still holds exactly that), which the
//   recording SQL (src/events/record.ts: which endpoints get a delivery) calls for each endpoint,
//   and the worker's lease (src/webhooks/queue/lease.ts) again before a delivery is sent.
// Before, the rule was written three times by hand, and a sandbox endpoint was sent an event its
// own key could not read (an organization-level one a platform recorded while acting for it).

/** The event's columns the rule reads. */
export type EventColumn = 'organizationId' | 'tenantId' | 'connectedAccountId' | 'platformOrganizationId';

/** The recipient's values the rule compares them with. */
export type RecipientValue = 'organizationId' | 'tenantId';

/** Which of an organization's events: all it may read, its own, or its connected accounts' (`connect` endpoints). */
export type Part = 'all' | 'own' | 'connect';

/** A recipient: a caller (its confinement scope), or a webhook endpoint (its owner's scope and its `connect`). */
export interface Recipient {
  organizationId: string;
  tenantId: string;
  /** False when acting on behalf of a connected account (or an endpoint made so): that tenant only. */
  organizationWide: boolean;
  /** A SANDBOX tenant's key sees no Connect event. */
  sandbox: boolean;
  part: Part;
}

type Flags = Pick<Recipient, 'organizationWide' | 'sandbox' | 'part'>;

export type Rule =
  | { is: 'equal'; column: EventColumn; to: RecipientValue }
  | { is: 'null'; column: EventColumn }
  /** Null, or another value than the recipient's. */
  | { is: 'other'; column: EventColumn; than: RecipientValue }
  | { is: 'and' | 'or'; rules: Rule[] }
  | { is: 'nothing' };

const equal = (column: EventColumn, to: RecipientValue): Rule => ({ is: 'equal', column, to });
const isNull = (column: EventColumn): Rule => ({ is: 'null', column });
const other = (column: EventColumn, than: RecipientValue): Rule => ({ is: 'other', column, than });
const and = (...rules: Rule[]): Rule => ({ is: 'and', rules });
const or = (...rules: Rule[]): Rule => ({ is: 'or', rules });

/**
 * The rule. Acting on behalf of an account: that tenant, only. A sandbox: its tenant's events and
 * the organization-level ones made by no connected account (Connect is production-only). Otherwise
 * the organization's own events in its tenant or at organization level, and (its `connect` part) the
 * events of its connected accounts; what a platform records about its accounts is in that part only.
 */
export function recipientRule({ organizationWide, sandbox, part }: Flags): Rule {
  if (!organizationWide) return equal('tenantId', 'tenantId');
  if (sandbox) {
    return part === 'connect'
      ? { is: 'nothing' }
      : and(
          equal('organizationId', 'organizationId'),
          or(equal('tenantId', 'tenantId'), and(isNull('tenantId'), isNull('connectedAccountId'))),
        );
  }
  const inItsTenants = and(equal('organizationId', 'organizationId'), or(equal('tenantId', 'tenantId'), isNull('tenantId')));
  const ofItsAccounts = equal('platformOrganizationId', 'organizationId');
  if (part === 'own') return and(inItsTenants, other('platformOrganizationId', 'organizationId'));
  if (part === 'connect') return ofItsAccounts;
  return or(inItsTenants, ofItsAccounts);
}

/** The rule as a Prisma `where` on Event. */
export function recipientWhere(recipient: Recipient): Record<string, unknown> {
  const compile = (rule: Rule): Record<string, unknown> => {
    switch (rule.is) {
      case 'equal':
        return { [rule.column]: recipient[rule.to] };
      case 'null':
        return { [rule.column]: null };
      case 'other':
        return { OR: [{ [rule.column]: null }, { [rule.column]: { not: recipient[rule.than] } }] };
      case 'and':
        return { AND: rule.rules.map(compile) };
      case 'or':
        return { OR: rule.rules.map(compile) };
      case 'nothing':
        return { id: { in: [] } };
    }
  };
  return compile(recipientRule(recipient));
}

/** The rule as a test on a loaded event row. */
export function recipientAllows(recipient: Recipient, row: Record<string, unknown>): boolean {
  const test = (rule: Rule): boolean => {
    switch (rule.is) {
      case 'equal':
        return row[rule.column] === recipient[rule.to];
      case 'null':
        return row[rule.column] === null;
      case 'other':
        return row[rule.column] !== recipient[rule.than];
      case 'and':
        return rule.rules.every(test);
      case 'or':
        return rule.rules.some(test);
      case 'nothing':
        return false;
    }
  };
  return test(recipientRule(recipient));
}

const sqlColumn: Record<EventColumn, string> = {
  organizationId: 'event_organization',
  tenantId: 'event_tenant',
  connectedAccountId: 'event_account',
  platformOrganizationId: 'event_platform',
};
const sqlValue: Record<RecipientValue, string> = { organizationId: 'organization_id', tenantId: 'tenant_id' };

function ruleSql(rule: Rule): string {
  switch (rule.is) {
    case 'equal':
      return `${sqlColumn[rule.column]} = ${sqlValue[rule.to]}`;
    case 'null':
      return `${sqlColumn[rule.column]} IS NULL`;
    case 'other':
      return `${sqlColumn[rule.column]} IS DISTINCT FROM ${sqlValue[rule.than]}`;
    case 'and':
      return `(${rule.rules.map(ruleSql).join(' AND ')})`;
    case 'or':
      return `(${rule.rules.map(ruleSql).join(' OR ')})`;
    case 'nothing':
      return 'FALSE';
  }
}

const parts: readonly Part[] = ['all', 'own', 'connect'];

/**
 * The rule as the SQL function `event_reaches`, one CASE branch per combination of flags. A plain
 * SQL function of one expression: PostgreSQL inlines it into the statement that calls it.
 */
export function recipientFunctionSql(): string {
  const branches = [
    `WHEN NOT organization_wide THEN ${ruleSql(recipientRule({ organizationWide: false, sandbox: false, part: 'all' }))}`,
    ...[true, false].flatMap((sandbox) =>
      parts.map(
        (part) =>
          `WHEN ${sandbox ? '' : 'NOT '}sandbox AND part = '${part}' THEN ${ruleSql(recipientRule({ organizationWide: true, sandbox, part }))}`,
      ),
    ),
  ];
  return `CREATE OR REPLACE FUNCTION event_reaches(
  event_organization TEXT, event_tenant TEXT, event_account TEXT, event_platform TEXT,
  organization_id TEXT, tenant_id TEXT, organization_wide BOOLEAN, sandbox BOOLEAN, part TEXT
) RETURNS BOOLEAN
LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
    ${branches.join('\n    ')}
    ELSE FALSE
  END
$$;
`;
}

/** SQL expressions of an event's columns, for `endpointReachesSql`. */
export type EventColumnsSql = Record<EventColumn, string>;

/**
 * The SQL that asks the rule whether an event reaches webhook endpoint `e` (its owner as it made it:
 * organization-wide unless made while acting for an account, a sandbox by its tenant, its `connect`
 * part or its own): for the recording of deliveries and for the lease that sends them.
 */
export const endpointReachesSql = (event: EventColumnsSql) => `event_reaches(
    ${event.organizationId}, ${event.tenantId}, ${event.connectedAccountId}, ${event.platformOrganizationId},
    e."organizationId", e."tenantId", e."actingForAccountId" IS NULL,
    NOT EXISTS (SELECT 1 FROM "Tenant" t WHERE t."id" = e."tenantId" AND t."environment" = 'PRODUCTION'),
    CASE WHEN e."connect" THEN 'connect' ELSE 'own' END)`;
