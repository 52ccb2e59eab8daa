/**
 * @module Fire-and-forget commands over BullMQ: a contract method whose answer nobody waits for,
 * sent on the contract's queue (`seam.commands.<contract>.v<major>`) and run by a consumer.
 *
 * A queue delivers at least once (a retry, a worker that stalls after the work), so only
 * methods the contract declares idempotent may be sent: running one twice must be harmless.
 * The input is checked against the contract on both sides: the sender fails fast on bad input,
 * and the consumer, for whom the queue is a trust boundary (other versions, hand-made jobs),
 * never lets a bad input reach the implementation. A bad input, an unknown method, and a
 * domain refusal (a SeamError below 500) cannot succeed on retry: they are dead-lettered at
 * once. The method's output is discarded.
 */
import { randomUUID } from 'node:crypto';
import type { AnyContract, ContractApi, MethodInput } from '../../kernel/contract.js';
import { SeamError } from '../../kernel/errors.js';
import { parseOrThrow } from '../../kernel/validation.js';
import type { QueueClient } from './connection.js';
import { finalFailure, startConsumer, type Consumer, type ConsumerOptions } from './consumer.js';
import { commandQueueName, deadCommandQueueName, jobOptions } from './wire.js';

type Methods = Readonly<Record<string, ((input: unknown) => Promise<unknown>) | undefined>>;

const methodSpec = (contract: AnyContract, method: string) => {
  const spec = Object.hasOwn(contract.methods, method) ? contract.methods[method] : undefined;
  if (!spec) throw new Error(`${contract.id} has no method ${method}`);
  return spec;
};

/**
 * Enqueues a call of `contract.method(input)` and resolves with the job id once Redis holds it.
 *
 * @example
 * await sendCommand(queues, notificationsContract, 'notify', { userId, text });
 */
export const sendCommand = async <C extends AnyContract, M extends keyof C['methods'] & string>(
  queues: QueueClient,
  contract: C,
  method: M,
  input: MethodInput<C, M>,
): Promise<string> => {
  const spec = methodSpec(contract, method);
  if (!spec.idempotent) throw new Error(`${contract.id}.${method} is not idempotent, so it cannot be sent over a queue that may deliver it twice`);
  const checked = parseOrThrow(spec.input, input, `${contract.id}.${method} input`);
  const id = randomUUID();
  await queues.queue(commandQueueName(contract)).add(method, checked, jobOptions(id));
  return id;
};

/** Runs the commands sent to `contract` on `api`, until closed. */
export const startCommandConsumer = <C extends AnyContract>(contract: C, api: ContractApi<C>, options: ConsumerOptions): Promise<Consumer> =>
  startConsumer(
    {
      queue: commandQueueName(contract),
      deadQueue: deadCommandQueueName(contract),
      process: async (job) => {
        let input: unknown;
        try {
          const spec = methodSpec(contract, job.name);
          input = parseOrThrow(spec.input, job.data, `${contract.id}.${job.name} input`);
        } catch (error) {
          throw finalFailure(error);
        }
        const method = (api as unknown as Methods)[job.name];
        if (typeof method !== 'function') throw finalFailure(new Error(`The implementation of ${contract.id} lacks ${job.name}`));
        try {
          await method.call(api, input);
        } catch (error) {
          if (error instanceof SeamError && error.status < 500) throw finalFailure(error);
          throw error;
        }
      },
    },
    options,
  );
