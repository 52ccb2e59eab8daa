/**
 * @module The notifications module's implementation of its contract (the read side).
 */
import type { MethodInput, MethodOutput } from '../../kernel/contract.js';
import type { notificationsContract, NotificationsApi } from './contract.js';
import type { NotificationStore } from './notification.repository.js';

type Input<M extends keyof NotificationsApi> = MethodInput<typeof notificationsContract, M>;
type Output<M extends keyof NotificationsApi> = Promise<MethodOutput<typeof notificationsContract, M>>;

export class NotificationsService implements NotificationsApi {
  constructor(private readonly notifications: NotificationStore) {}

  async listNotifications(input: Input<'listNotifications'>): Output<'listNotifications'> {
    return { items: await this.notifications.listByUser(input.userId, input.limit) };
  }
}
