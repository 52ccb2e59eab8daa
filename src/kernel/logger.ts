/**
 * @module Structured logging (pino): one JSON line per event, fields over prose; the same
 * lines made readable for a person at a terminal (log-format.ts).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { currentCall } from './call-context.js';
import { logFormatOf, prettyAskedFor, prettyDestination, type LogFormat } from './log-format.js';

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
  /**
   * JSON or pretty. Unset, a logger to standard output decides by LOG_FORMAT, NODE_ENV and
   * whether standard output is a terminal (`logFormatOf`); one to a given destination writes JSON.
   */
  readonly format?: LogFormat;
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
  const format = options.format ?? (options.destination === undefined ? logFormatOf({ env: process.env, stdoutIsTerminal: process.stdout.isTTY === true }) : 'json');
  const pretty = format === 'pretty' ? prettyDestination(options.destination) : undefined;
  const logger = pino(
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
    pretty ?? options.destination ?? pino.destination(1),
  );
  if (format === 'pretty' && pretty === undefined && (options.format === 'pretty' || prettyAskedFor(process.env))) {
    logger.warn('pretty log lines were asked for, but pino-pretty (a development dependency) is not installed: writing JSON');
  }
  return logger;
};
