/**
 * @module Structured logging (pino): one JSON line per event, fields over prose.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Options for `createLogger`. */
export interface LoggerOptions {
  readonly level: string;
  /** Bound to every line, e.g. `{ service: 'monolith' }`. */
  readonly base?: Record<string, unknown>;
}

/**
 * Creates the process logger. Card numbers, passwords and tokens are redacted wherever they
 * appear in a logged object, so a careless `log.info({ body })` cannot leak them.
 */
export const createLogger = (options: LoggerOptions): Logger =>
  pino({
    level: options.level,
    base: options.base ?? null,
    redact: {
      paths: ['*.password', '*.cardNumber', '*.cvc', '*.token', 'req.headers.authorization', '*.authorization'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
