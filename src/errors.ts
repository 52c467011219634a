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
