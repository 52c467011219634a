// `ConnectedAccount.events`: the account's lifecycle as it was shown before the event log existed,
// now read from the log (one model: Event). Kept so typed clients built on it keep working;
// `events(filter: { objectId })` shows the same events with their data.
import type { Event } from '../../generated/prisma/client.ts';
import { builder } from '../../graphql/builder.ts';
import type { EventType } from '../../events/event-types.ts';
import { ConnectedAccountStatusEnum } from './schema-enums.ts';

/** The history's names for the log's types (connected_account.updated has none: it is not shown). */
const historyTypes = {
  'connected_account.created': 'CREATED',
  'connected_account.onboarding_link.created': 'ONBOARDING_LINK_CREATED',
  'connected_account.activated': 'ONBOARDING_COMPLETED',
  'connected_account.suspended': 'SUSPENDED',
  'connected_account.reactivated': 'REACTIVATED',
  'connected_account.revoked': 'REVOKED',
  'connected_account.deauthorized': 'REVOKED',
} as const satisfies Partial<Record<EventType, string>>;

export const historyEventTypes = Object.keys(historyTypes);

const ConnectedAccountEventTypeEnum = builder.enumType('ConnectedAccountEventType', {
  values: [
    'CREATED',
    'ONBOARDING_LINK_CREATED',
    'ONBOARDING_COMPLETED',
    'CONNECTED_BY_CONSENT',
    'SUSPENDED',
    'REACTIVATED',
    'REVOKED',
  ] as const,
});

type Status = 'PENDING' | 'ACTIVE' | 'SUSPENDED' | 'REVOKED';
interface AccountData {
  object: { status: Status; connectionType?: string };
  previous?: { status?: Status };
}

const dataOf = (event: Event) => event.data as unknown as AccountData;

function historyType(event: Event) {
  const type = historyTypes[event.type as keyof typeof historyTypes];
  // Consent activates a STANDARD account; onboarding an EXPRESS one.
  return type === 'ONBOARDING_COMPLETED' && dataOf(event).object.connectionType === 'STANDARD' ? 'CONNECTED_BY_CONSENT' : type;
}

export const ConnectedAccountEventType = builder.prismaNode('Event', {
  variant: 'ConnectedAccountEvent',
  id: { field: 'id' },
  description: 'One entry of the lifecycle history of an account. Deprecated view: use `events(filter: { objectId })`.',
  fields: (t) => ({
    type: t.field({ type: ConnectedAccountEventTypeEnum, resolve: historyType }),
    fromStatus: t.field({
      type: ConnectedAccountStatusEnum,
      nullable: true,
      resolve: (event) =>
        event.type === 'connected_account.created' ? null : (dataOf(event).previous?.status ?? dataOf(event).object.status),
    }),
    toStatus: t.field({ type: ConnectedAccountStatusEnum, resolve: (event) => dataOf(event).object.status }),
    actorApiKeyId: t.id({
      nullable: true,
      description: 'The platform key that did it.',
      resolve: (event) => (event.actorType === 'API_KEY' ? event.actorId : null),
    }),
    actorUserId: t.id({
      nullable: true,
      description: 'The user who completed the onboarding.',
      resolve: (event) => (event.actorType === 'USER' ? event.actorId : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
