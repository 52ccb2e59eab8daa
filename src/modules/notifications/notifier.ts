/**
 * @module Turns one event into one notification: recorded in the handler's transaction, then
 * sent through the channel.
 */
import type { z } from 'zod';
import type { EventHandler } from '../../kernel/events.js';
import { parseOrThrow } from '../../kernel/validation.js';
import type { NotificationChannel } from './channel.js';
import type { NotificationDraft } from './messages.js';
import { NotificationRepository } from './notification.repository.js';

/**
 * The handler of one event type. The payload is checked against the publisher's contract
 * first: an event from a publisher that broke it fails, is retried and ends as a dead letter
 * to inspect, instead of becoming a notification full of "undefined".
 */
export const notificationHandler =
  <S extends z.ZodType>(payload: S, draft: (payload: z.output<S>) => NotificationDraft, channel: NotificationChannel): EventHandler<z.output<S>> =>
  async (event, tx) => {
    const notification = await new NotificationRepository(tx).insertForEvent(event.id, new Date(event.occurredAt), draft(parseOrThrow(payload, event.payload, `${event.type} payload`)));
    // Sent last, inside the transaction: if sending fails, the record and the inbox mark roll
    // back and the relay retries; a customer may hear twice but is never left unnotified.
    if (notification) await channel.send(notification);
  };
