import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../kernel/logger.js';
import { callerGate, type DeniedCall } from './caller-permissions.js';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
};

describe('caller gate', () => {
  const permissions = { orders: ['payments', 'inventory'], gateway: ['orders'], notifications: [] };

  it('lists, per contract, the callers allowed it; a contract nobody may call has none', () => {
    const gate = callerGate({ permissions, logger: capture().logger });
    expect([...gate.callersOf('payments')]).toEqual(['orders']);
    expect([...gate.callersOf('orders')]).toEqual(['gateway']);
    expect(gate.callersOf('identity').size).toBe(0);
  });

  it('knows every service of the table, also one that may call nothing, and nothing inherited from Object', () => {
    const gate = callerGate({ permissions, logger: capture().logger });
    expect(gate.isKnown('notifications')).toBe(true);
    expect(gate.isKnown('evil')).toBe(false);
    expect(gate.isKnown('constructor')).toBe(false);
    expect(gate.callersOf('constructor').size).toBe(0);
  });

  it('denies a known caller with 403 CALLER_NOT_ALLOWED, logged and counted; an unknown one with 401, logged only', () => {
    const { lines, logger } = capture();
    const denied: DeniedCall[] = [];
    const gate = callerGate({ permissions, logger, onDenied: (call) => denied.push(call) });
    expect(gate.deny('notifications', 'payments/v1', 'refund').toJSON()).toMatchObject({ code: 'CALLER_NOT_ALLOWED', kind: 'forbidden' });
    expect(gate.deny('evil', 'payments/v1', 'refund').toJSON()).toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
    expect(denied).toEqual([{ caller: 'notifications', contract: 'payments/v1', method: 'refund' }]);
    expect(lines.map((line) => [line['level'], line['caller'], line['contract'], line['method']])).toEqual([
      [40, 'notifications', 'payments/v1', 'refund'],
      [40, 'evil', 'payments/v1', 'refund'],
    ]);
  });
});
