/**
 * @module The default notification channel: a log line per notification, until a real
 * sender (e-mail, push) is plugged in.
 */
import type { Logger } from '../../kernel/logger.js';
import type { NotificationChannel } from './channel.js';
import type { Notification } from './contract.js';

export class LogChannel implements NotificationChannel {
  constructor(private readonly logger: Logger) {}

  async send(notification: Notification): Promise<void> {
    // The body stays out of the log: it may carry order details nobody needs in log storage.
    this.logger.info(
      { notificationId: notification.id, userId: notification.userId, kind: notification.kind, title: notification.title },
      'notification sent',
    );
  }
}
