// The events about a connected account (connected_account.*), which belong with its platform.
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import { connectedAccountObject, eventData } from '../../events/public-objects.ts';
import { placeOfAccount, recordEvent, type EventActor, type EventWriter } from '../../events/record.ts';
import type { EventType } from '../../events/event-types.ts';

/** Records `type` about the account as it is now; with `before`, what the change changed. */
export function recordAccountEvent(tx: EventWriter, type: EventType, after: ConnectedAccount, actor: EventActor, before?: ConnectedAccount) {
  return recordEvent(tx, {
    type,
    objectId: after.id,
    data: eventData(connectedAccountObject(after), before ? connectedAccountObject(before) : undefined),
    place: placeOfAccount(after),
    actor,
  });
}
