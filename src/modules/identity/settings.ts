/**
 * @module The identity module's settings: the administrator every shop starts with.
 */
import { z } from 'zod';
import type { ModuleSettings, SettingsOf } from '../../kernel/module-settings.js';

export const adminSettings = {
  prefix: 'ADMIN_',
  schema: z.object({
    /** The administrator's email, created at first start unless a customer holds it. */
    ADMIN_EMAIL: z.email('expected an email address').default('admin@seam.local'),
    /** Unset: a password is generated when the admin is first created, and logged that once. */
    ADMIN_PASSWORD: z.string().min(12, 'expected at least 12 characters').optional(),
  }),
} satisfies ModuleSettings;

export type AdminSettings = SettingsOf<typeof adminSettings>;
