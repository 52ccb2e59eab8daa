import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract } from '../kernel/contract.js';
import { defineError } from '../kernel/errors.js';
import { breakerStates } from './breaker-states.js';
import { serviceMetrics } from './metrics.js';

const NoSuchName = defineError('NO_SUCH_NAME', 'not-found', 'Nobody by that name');
const greeter = defineContract('greeter', 1, {
  methods: {
    greet: { input: z.object({ name: z.string() }), output: z.object({ text: z.string() }), errors: [NoSuchName], idempotent: true },
  },
});

describe('service metrics', () => {
  it('times every call by side, contract, method and outcome, and passes results and errors through', async () => {
    const metrics = serviceMetrics({ service: 'greeting' });
    const api = metrics.instrument('client', greeter, {
      greet: async ({ name }) => {
        if (name === 'nobody') throw NoSuchName.create('no nobody');
        return { text: `hello ${name}` };
      },
    });
    await expect(api.greet({ name: 'ada' })).resolves.toEqual({ text: 'hello ada' });
    await expect(api.greet({ name: 'bob' })).resolves.toEqual({ text: 'hello bob' });
    await expect(api.greet({ name: 'nobody' })).rejects.toMatchObject({ code: 'NO_SUCH_NAME' });

    const text = await metrics.registry.metrics();
    const count = (outcome: string) =>
      new RegExp(`seam_rpc_duration_seconds_count\\{service="greeting",side="client",contract="greeter/v1",method="greet",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1];
    expect(count('ok')).toBe('2');
    expect(count('NO_SUCH_NAME')).toBe('1');
    expect(text).toContain('process_cpu_user_seconds_total{service="greeting"}');
  });

  it('shows each watched breaker as 0 closed, 0.5 half-open, 1 open', async () => {
    const breakers = breakerStates();
    const metrics = serviceMetrics({ service: 'orders' }, breakers);
    let state = 'closed';
    breakers.watch('inventory', greeter, () => state);
    const level = async () =>
      (await metrics.registry.metrics())
        .split('\n')
        .find((line) => line.startsWith('seam_breaker_open{') && ['service="orders"', 'target="inventory"', 'contract="greeter/v1"'].every((label) => line.includes(label)))
        ?.split(' ')
        .at(-1);
    expect(await level()).toBe('0');
    state = 'open';
    expect(await level()).toBe('1');
    state = 'half-open';
    expect(await level()).toBe('0.5');
  });
});
