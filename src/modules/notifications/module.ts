/**
 * @module Wires the notifications module. Imported by the composition root only.
 */
import { fileURLToPath } from 'node:url';
import { subscription } from '../../kernel/events.js';
import type { Logger } from '../../kernel/logger.js';
import { defineModule } from '../../kernel/module.js';
import { ordersContract } from '../orders/contract.js';
import { shippingContract } from '../shipping/contract.js';
import type { NotificationChannel } from './channel.js';
import { notificationsContract } from './contract.js';
import { LogChannel } from './log-channel.js';
import { orderCancelled, orderConfirmed, shipmentDelivered, shipmentDispatched } from './messages.js';
import { NotificationRepository } from './notification.repository.js';
import { NotificationsService } from './notifications.service.js';
import { notificationHandler } from './notifier.js';

export interface NotificationsModuleOptions {
  /** Where notifications go. Default: the log. */
  readonly channel?: (logger: Logger) => NotificationChannel;
}

/** The notifications module with a channel of your choosing (a real sender, or a test double). */
export const createNotificationsModule = (options: NotificationsModuleOptions = {}) =>
  defineModule({
    name: 'notifications',
    provides: notificationsContract,
    requires: {},
    schema: 'notifications',
    migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
    subscribes: [
      subscription(ordersContract, 'OrderConfirmed'),
      subscription(ordersContract, 'OrderCancelled'),
      subscription(shippingContract, 'ShipmentDispatched'),
      subscription(shippingContract, 'ShipmentDelivered'),
    ],
    create: ({ db, logger, on }) => {
      const channel = options.channel?.(logger) ?? new LogChannel(logger);
      on(ordersContract, 'OrderConfirmed', notificationHandler(ordersContract.events.OrderConfirmed.payload, orderConfirmed, channel));
      on(ordersContract, 'OrderCancelled', notificationHandler(ordersContract.events.OrderCancelled.payload, orderCancelled, channel));
      on(shippingContract, 'ShipmentDispatched', notificationHandler(shippingContract.events.ShipmentDispatched.payload, shipmentDispatched, channel));
      on(shippingContract, 'ShipmentDelivered', notificationHandler(shippingContract.events.ShipmentDelivered.payload, shipmentDelivered, channel));
      return new NotificationsService(new NotificationRepository(db));
    },
  });

export const notificationsModule = createNotificationsModule();
