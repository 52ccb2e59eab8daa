/**
 * @module How log lines are written: JSON (one object per line, for machines: containers, CI,
 * log shippers) or pretty (pino-pretty, for a person at a terminal). JSON unless standard
 * output is a terminal outside production; `LOG_FORMAT` forces either.
 */
import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { z } from 'zod';
import { parseEnvironment, type Environment } from './environment.js';

export type LogFormat = 'json' | 'pretty';

const logFormatSetting = z.object({
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'expected "auto", "json" or "pretty"' }).default('auto'),
});

/** What decides the format: the environment (`LOG_FORMAT`, `NODE_ENV`) and whether standard output is a terminal. */
export interface LogFormatInputs {
  readonly env: Environment;
  readonly stdoutIsTerminal: boolean;
}

/**
 * The format lines are written in. `LOG_FORMAT=json|pretty` decides outright; unset or `auto`,
 * pretty only for a terminal outside production, so a pipe (a container, CI, a parent process
 * reading its child's lines) always gets JSON.
 *
 * @example
 * logFormatOf({ env: process.env, stdoutIsTerminal: process.stdout.isTTY === true });
 * @throws ConfigError when LOG_FORMAT is none of auto, json, pretty.
 */
export const logFormatOf = ({ env, stdoutIsTerminal }: LogFormatInputs): LogFormat => {
  const { LOG_FORMAT: asked } = parseEnvironment(logFormatSetting, { LOG_FORMAT: env['LOG_FORMAT'] === '' ? undefined : env['LOG_FORMAT'] });
  if (asked !== 'auto') return asked;
  return stdoutIsTerminal && env['NODE_ENV'] !== 'production' ? 'pretty' : 'json';
};

/** Whether `LOG_FORMAT` asks for pretty lines outright (so their absence is worth a warning). */
export const prettyAskedFor = (env: Environment): boolean => env['LOG_FORMAT'] === 'pretty';

type PrettyFactory = (options: PrettyOptions) => DestinationStream;

/**
 * pino-pretty, if installed. It is a development dependency: an image installs production
 * dependencies only, and there the logger falls back to JSON rather than failing to start.
 */
const loadPretty = (): PrettyFactory | undefined => {
  try {
    return createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  } catch {
    return undefined;
  }
};

/**
 * A stream that turns pino's JSON lines into one readable line each (`[12:03:04.512] INFO:
 * shop | request {"method":"GET",...}`), written to `destination` (standard output when
 * absent, in colour where the terminal supports it); undefined when pino-pretty is not
 * installed. It formats in this thread, synchronously: a transport would start a worker
 * thread for what a development process writes at a person's reading speed.
 */
export const prettyDestination = (destination?: DestinationStream): DestinationStream | undefined => {
  const pretty = loadPretty();
  if (pretty === undefined) return undefined;
  return pretty({
    destination: destination ?? 1,
    sync: true,
    // Colour codes belong on a terminal only, never in a stream a test or a file reads.
    ...(destination === undefined ? {} : { colorize: false }),
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // The service that wrote the line leads the message instead of trailing with the fields.
    ignore: 'service',
    messageFormat: '{if service}{service} | {end}{msg}',
  });
};
