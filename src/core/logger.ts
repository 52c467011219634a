// Structured JSON logs. Request headers, variables and secrets are never passed to the logger,
// and the redaction below is a second line of defence for fields that might carry them.
import { GraphQLError } from 'graphql';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['*.secret', '*.password', '*.token', '*.authorization', 'headers', 'variables'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Yoga's own messages, on our logger; errors by class and stack only, never with their payloads. */
export function yogaLogger(log: Logger) {
  const describe = (value: unknown) => (value instanceof Error ? { type: value.name, stack: value.stack } : String(value));
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      // Errors a client is meant to see (401, 403, ...) are not server faults.
      const expected = args.every((arg) => arg instanceof GraphQLError && !arg.originalError);
      log[expected ? 'debug' : level]({ component: 'yoga', details: args.map(describe) }, 'yoga');
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
