/**
 * @module Events across processes: the outbox relay hands events for subscribers that run
 * elsewhere to their BullMQ queues, and this process consumes the queues of the subscribers
 * it runs, each event into the subscriber's inbox-guarded handler.
 */
import type { Logger } from '../kernel/logger.js';
import type { AnyModule } from '../kernel/module.js';
import type { ModuleHost } from '../kernel/module-host.js';
import { startEventConsumer } from '../transport/queue/events.js';
import type { Consumer } from '../transport/queue/consumer.js';

export { queueDelivery } from '../transport/queue/events.js';

/** Starts one queue consumer per local module that subscribes to anything. */
export const startEventConsumers = async (host: ModuleHost, modules: readonly AnyModule[], redisUrl: string, logger: Logger): Promise<Consumer[]> => {
  const consumers: Consumer[] = [];
  try {
    for (const module of modules) {
      if ((module.subscribes ?? []).length === 0) continue;
      consumers.push(
        await startEventConsumer({
          connection: redisUrl,
          subscriber: module.name,
          handle: (event) => host.deliverLocal(module.name, event),
          logger: logger.child({ component: 'event-consumer', subscriber: module.name }),
        }),
      );
    }
  } catch (error) {
    await Promise.all(consumers.map((consumer) => consumer.close()));
    throw error;
  }
  return consumers;
};
