// The `Error` interface and one object type per domain error class, so a mutation that lists a
// class in `errors.types` returns it as a typed member of its result union.
import {
  ConflictError,
  ConnectNotEnabledError,
  type DomainError,
  errorCodes,
  InvalidCredentialsError,
  InvalidStateError,
  LinkExpiredError,
  LinkInvalidError,
  LinkUsedError,
  LimitReachedError,
  NotFoundError,
  ValidationError,
} from '../core/domain-errors.ts';
import { builder } from './builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: errorCodes });

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
  }),
});

function plainErrorType(errorClass: new (message: string) => DomainError, name: string) {
  builder.objectType(errorClass, { name, interfaces: [ErrorInterface], isTypeOf: (value) => value instanceof errorClass });
}

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    fields: t.exposeStringList('fields', { description: 'The input paths at fault, e.g. `input.email`.' }),
  }),
});
plainErrorType(NotFoundError, 'NotFoundError');
plainErrorType(ConflictError, 'ConflictError');
plainErrorType(InvalidStateError, 'InvalidStateError');
plainErrorType(LinkExpiredError, 'LinkExpiredError');
plainErrorType(LinkUsedError, 'LinkUsedError');
plainErrorType(LinkInvalidError, 'LinkInvalidError');
plainErrorType(InvalidCredentialsError, 'InvalidCredentialsError');
plainErrorType(ConnectNotEnabledError, 'ConnectNotEnabledError');
builder.objectType(LimitReachedError, {
  name: 'LimitReachedError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof LimitReachedError,
  fields: (t) => ({
    limit: t.exposeInt('limit', { description: 'The cap that was reached (e.g. API_KEYS_PER_TENANT).' }),
  }),
});
