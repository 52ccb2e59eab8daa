/**
 * @module Structured logging (pino): one JSON line per event, fields over prose.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { currentCall } from './call-context.js';

export type Logger = PinoLogger;

/** Options for `createLogger`. */
export interface LoggerOptions {
  readonly level: string;
  /**
   * Bound to every line, e.g. `{ service: 'shop' }`: who wrote it. A line's own field of the
   * same name does not replace it or repeat it (a line about another service names that one
   * under another key, such as `target`).
   */
  readonly base?: Record<string, unknown>;
  /** Where lines go; standard output by default. */
  readonly destination?: DestinationStream;
}

/** Secret fields, at the depths a request, a contract input or an error puts them. */
const secretFields = ['password', 'cardNumber', 'cvc', 'token', 'authorization', 'passwordHash'];
const secretPaths = [
  ...secretFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
  ...['card.number', '*.card.number', '*.*.card.number', 'card.cvc', '*.card.cvc', '*.*.card.cvc'],
  'req.headers.authorization',
];

/** The trace of the call the line is written in, if any. */
const traceFields = (): Record<string, string> => {
  const call = currentCall();
  return call === undefined ? {} : { traceId: call.traceId, spanId: call.spanId };
};

/**
 * Creates the process logger. Card numbers, passwords and tokens are redacted wherever they
 * appear in a logged object, so a careless `log.info({ body })` cannot leak them.
 */
export const createLogger = (options: LoggerOptions): Logger => {
  const base = options.base ?? {};
  return pino(
    {
      level: options.level,
      // pino writes its base bindings and a line's fields side by side, so a field in both
      // would appear twice in one JSON line; merged here instead, each key appears once.
      base: null,
      redact: { paths: secretPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Lines written inside a call carry its trace, so one id finds a request's every line
      // in every service it reached.
      mixin: traceFields,
      mixinMergeStrategy: (line: object, trace: object) => ({ ...base, ...trace, ...line, ...base }),
    },
    options.destination ?? pino.destination(1),
  );
};
