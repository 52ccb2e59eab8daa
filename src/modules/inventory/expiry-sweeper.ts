/**
 * @module Releases expired reservations on a timer, so stock held by an abandoned checkout
 * returns to sale without anyone asking.
 */
import type { Logger } from '../../kernel/logger.js';
import type { InventoryService } from './inventory.service.js';

export const startExpirySweeper = (service: InventoryService, logger: Logger, intervalMs: number): (() => Promise<void>) => {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        const released = await service.releaseExpired();
        if (released > 0) logger.info({ released }, 'released expired reservations');
      } catch (error) {
        logger.warn({ err: error }, 'releasing expired reservations failed; will try again');
      }
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
};
