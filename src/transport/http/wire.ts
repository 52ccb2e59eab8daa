/**
 * @module What the HTTP binding puts on the wire: paths, headers, and error bodies.
 */
import type { AnyContract } from '../../kernel/contract.js';
import type { SeamErrorData } from '../../kernel/errors.js';

export const headers = {
  credential: 'x-seam-credential',
  /** Milliseconds the caller will still wait, relative so clocks need not agree. */
  timeout: 'x-seam-timeout-ms',
  traceparent: 'traceparent',
  /** The caller's contract version, minor part, for logs and compatibility checks. */
  caller: 'x-seam-caller',
} as const;

export const rpcPrefix = '/rpc';

/** `POST /rpc/<contract>/v<major>/<method>`. */
export const methodPath = (contract: AnyContract, method: string): string => `${rpcPrefix}/${contract.name}/v${contract.version}/${method}`;

/** The body of a failed call: the SeamError's wire form. */
export interface ErrorBody {
  readonly error: SeamErrorData;
}
