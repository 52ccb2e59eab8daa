/**
 * @module Errors the framework raises for a configuration an operator must change (a topology
 * that cannot run, a bad variable): they end `seam` as they end a service, with their own
 * message and exit code 78 (EX_CONFIG), not a stack trace.
 */
import { TopologyError } from '../../../src/host/topology.js';
import { ConfigError } from '../../../src/kernel/config.js';

/** The line and exit code for a configuration error; undefined for anything else. */
export const operatorEnding = (error: unknown): { readonly line: string; readonly exitCode: number } | undefined =>
  error instanceof TopologyError || error instanceof ConfigError ? { line: `seam: ${error.message}`, exitCode: 78 } : undefined;
