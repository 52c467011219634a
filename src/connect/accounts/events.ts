// The events about a connected account (connected_account.*), which belong with its platform.
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import { connectedAccountObject, recordChange } from '../../events/public-objects.ts';
import { placeOfAccount, type EventActor, type EventWriter } from '../../events/record.ts';
import type { EventType } from '../../events/event-types.ts';

/** Records `type` about the account as it is now; with `before`, what the change changed. */
export function recordAccountEvent(
  tx: EventWriter,
  type: EventType,
  after: ConnectedAccount,
  actor: EventActor,
  before?: ConnectedAccount,
) {
  return recordChange(tx, { type, show: connectedAccountObject, after, before, place: placeOfAccount(after), actor });
}
