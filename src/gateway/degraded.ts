/**
 * @module Telling "the service that knows could not answer" from a real answer, so the edge can
 * degrade a page (leave out what only that service knows) instead of failing all of it.
 */
import { isNoAnswer } from '../kernel/failures.js';

/**
 * True when no answer could be had (unreachable, out of time, outcome unknown, or the service
 * itself reporting its own store unavailable), as the failure taxonomy decides.
 */
export const isUnavailable = (error: unknown): boolean => isNoAnswer(error);
