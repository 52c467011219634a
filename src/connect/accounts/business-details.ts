// A connected organization's user edits its business details after onboarding (the hosted account
// update page): the default invoicing entity of an ACTIVE EXPRESS account's tenant, checked like
// onboarding's, and against what the platform requires now. Its platform is told with
// `connected_account.updated`, which shows what is still due, never the values.
import type { Transaction } from '../../db/database.ts';
import { InvalidCredentialsError, InvalidStateError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import type { ConnectedAccount, InvoicingEntity } from '../../generated/prisma/client.ts';
import type { BusinessDetail } from '../../generated/prisma/enums.ts';
import { isOrganizationMember, validateInvoicingDetails, type InvoicingDetails } from '../../organizations/service.ts';
import { connectedAccountObject, eventData } from '../../events/public-objects.ts';
import { placeOfAccount, recordEvent, type EventActor } from '../../events/record.ts';
import { assertRequiredBusinessDetails, missingBusinessDetails } from '../platform/requirements.ts';
import { settleRequirements } from './requirement-deadlines.ts';
import { requirementsOf } from './requirements.ts';

export interface BusinessDetailsChange {
  connectedAccountId: string;
  /** The whole form: a blank field clears the detail (the legal name cannot be cleared). */
  details: InvoicingDetails;
  /**
   * Who edits: a user signed in on the hosted page, who must be a member of the connected
   * organization; or the platform's key, acting for the account or through an account session.
   */
  editor: EventActor;
  now: Date;
}

export interface UpdatedBusinessDetails {
  connectedAccount: ConnectedAccount;
  invoicingEntity: InvoicingEntity;
  /** What the platform still requires: empty, since the details were checked against it. */
  currentlyDue: BusinessDetail[];
}

/**
 * Saves the details. Runs inside the caller's transaction, so the page can consume its link in the
 * same one (a failure here leaves the link usable). Field names are reported under `prefix` (none
 * for the page's form). Locks the account row first, the order every Connect write uses.
 */
export async function updateBusinessDetails(tx: Transaction, change: BusinessDetailsChange, prefix = ''): Promise<UpdatedBusinessDetails> {
  const { connectedAccountId: id, editor, now } = change;
  const details = validateInvoicingDetails(change.details, prefix);
  if (!details.legalName) throw new ValidationError(`${prefix}legalName is required.`, [`${prefix}legalName`]);
  const legalName = details.legalName;

  const locked = await tx.connectedAccount.updateMany({
    where: { id, status: 'ACTIVE', connectionType: 'EXPRESS' },
    data: { updatedAt: now },
  });
  const account = await tx.connectedAccount.findUnique({
    where: { id },
    include: { platformOrganization: { select: { connectPlatform: { select: { requiredBusinessDetails: true } } } } },
  });
  if (!account) throw new NotFoundError(`No connected account ${id}.`);
  if (locked.count === 0 || !account.connectedOrganizationId || !account.connectedTenantId) {
    throw new InvalidStateError(
      `Only an ACTIVE EXPRESS account's business details can be edited; this one is ${account.status} ${account.connectionType}.`,
    );
  }
  if (editor.type === 'USER' && !(await isOrganizationMember(tx, account.connectedOrganizationId, editor.id))) {
    throw new InvalidCredentialsError("This user is not a member of the account's organization.");
  }

  const required = account.platformOrganization.connectPlatform?.requiredBusinessDetails ?? [];
  assertRequiredBusinessDetails(required, details, prefix);
  const entity = await tx.invoicingEntity.findFirst({
    where: { tenantId: account.connectedTenantId, isDefault: true },
    orderBy: { createdAt: 'asc' },
  });
  if (!entity) throw new InvalidStateError('The account has no default invoicing entity to edit.');
  const { platformOrganization: _platform, ...connectedAccount } = account;
  const requirementsBefore = await requirementsOf(tx, [connectedAccount]);

  const invoicingEntity = await tx.invoicingEntity.update({ where: { id: entity.id }, data: { ...details, legalName } });
  const currentlyDue = missingBusinessDetails(required, invoicingEntity);
  await recordEvent(tx, {
    type: 'connected_account.updated',
    objectId: id,
    data: eventData(
      { ...connectedAccountObject(connectedAccount), requirements: { currentlyDue } },
      { ...connectedAccountObject(connectedAccount), requirements: { currentlyDue: missingBusinessDetails(required, entity) } },
    ),
    place: placeOfAccount(connectedAccount),
    actor: editor,
  });
  // What was due by a deadline, or past it, is given: the restriction ends with this transaction.
  await settleRequirements(tx, [connectedAccount], requirementsBefore, { now, actor: editor });
  return { connectedAccount, invoicingEntity, currentlyDue };
}
