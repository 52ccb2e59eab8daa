/**
 * @module The orders module's settings: how checkout waits, resumes and hands sagas over.
 */
import { z } from 'zod';
import { milliseconds, seconds } from '../../kernel/environment.js';
import type { ModuleSettings, SettingsOf } from '../../kernel/module-settings.js';

export const checkoutSettings = {
  prefix: 'CHECKOUT_',
  schema: z.object({
    /** How long POST /orders waits for checkout before answering 202 PENDING. */
    CHECKOUT_DEADLINE_MS: milliseconds(0).default(5000),
    /** How often unfinished checkouts are looked for and run on. */
    CHECKOUT_RESUME_INTERVAL_MS: milliseconds(50).default(1000),
    /** How long a checkout runner owns a saga; after a crash, others wait this long to take over. */
    CHECKOUT_LEASE_SECONDS: seconds(1).default(30),
  }),
} satisfies ModuleSettings;

export type CheckoutSettings = SettingsOf<typeof checkoutSettings>;
