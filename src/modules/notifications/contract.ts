/**
 * @module The notifications module's public face: what a customer has been told.
 *
 * Notifications come from events of other modules (orders, shipping), never from calls; the
 * contract only reads them back.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';

export const notificationKinds = ['order_confirmed', 'order_cancelled', 'shipment_dispatched', 'shipment_delivered'] as const;

const notification = z.object({
  id: z.string(),
  userId: z.string(),
  kind: z.enum(notificationKinds),
  title: z.string(),
  body: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
});

export type Notification = z.infer<typeof notification>;
export type NotificationKind = (typeof notificationKinds)[number];

export const notificationsContract = defineContract('notifications', 1, {
  methods: {
    /** The user's notifications, newest first, at most `limit` of them. */
    listNotifications: {
      summary: "Lists the user's notifications, newest first",
      input: z.object({ userId: z.string().min(1).max(100), limit: z.number().int().min(1).max(100) }),
      output: z.object({ items: z.array(notification) }),
      errors: [],
      idempotent: true,
    },
  },
  events: {},
});

export type NotificationsApi = ContractApi<typeof notificationsContract>;
