// The expected failures of business rules. Services throw these; the GraphQL layer turns each into
// a member of the mutation's result union, so clients get a typed error with a stable code.

export const errorCodes = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_STATE',
  'FORBIDDEN',
  'LINK_EXPIRED',
  'LINK_USED',
  'LINK_INVALID',
  'INVALID_CREDENTIALS',
  'CONNECT_NOT_ENABLED',
  'LIMIT_REACHED',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';
  /** The input paths at fault, e.g. `input.redirectUrl`. */
  constructor(
    message: string,
    readonly fields: string[],
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class InvalidStateError extends DomainError {
  readonly code = 'INVALID_STATE';
}

/** An onboarding link past its expiry time. */
export class LinkExpiredError extends DomainError {
  readonly code = 'LINK_EXPIRED';
}

/** An onboarding link that already completed an onboarding. */
export class LinkUsedError extends DomainError {
  readonly code = 'LINK_USED';
}

/** An unknown token, or a link replaced by a newer one or invalidated by revocation. */
export class LinkInvalidError extends DomainError {
  readonly code = 'LINK_INVALID';
}

/** An existing user's email with the wrong password. */
export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
}

/** Connect features used before the organization enabled Connect. */
export class ConnectNotEnabledError extends DomainError {
  readonly code = 'CONNECT_NOT_ENABLED';
}

/** Creating one more would pass a configured cap (API keys, webhook endpoints per tenant): make room first. */
export class LimitReachedError extends DomainError {
  readonly code = 'LIMIT_REACHED';
  constructor(
    message: string,
    /** The cap that was reached. */
    readonly limit: number,
  ) {
    super(message);
  }
}
