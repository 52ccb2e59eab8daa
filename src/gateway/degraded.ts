/**
 * @module Telling "the service that knows is unreachable" from a real answer, so the edge can
 * degrade a page (leave out what only that service knows) instead of failing all of it.
 */
import { SeamError } from '../kernel/errors.js';

/** Failures of reaching a contract, as opposed to what it answered. */
const unavailableCodes = new Set(['SERVICE_UNAVAILABLE', 'REMOTE_CALL_FAILED', 'DEADLINE_EXCEEDED']);

export const isUnavailable = (error: unknown): boolean => error instanceof SeamError && unavailableCodes.has(error.code);
