import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runInCall } from './call-context.js';
import { createLogger } from './logger.js';

const capture = (base?: Record<string, unknown>) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination, ...(base ? { base } : {}) }) };
};

/** How often `"key":` occurs in a raw JSON line: JSON.parse would keep one of several silently. */
const occurrences = (line: string, key: string): number => line.split(`"${key}":`).length - 1;

describe('createLogger', () => {
  it('redacts card numbers, CVCs, passwords and tokens wherever a careless log puts them', () => {
    const { lines, logger } = capture();
    logger.info({ password: 'hunter2-top', body: { password: 'hunter2-body' } }, 'one');
    logger.info({ input: { payment: { cardNumber: '4242424242424242', cvc: '987' } } }, 'two');
    logger.info({ input: { card: { number: '4000000000000002', cvc: '654' } } }, 'three');
    logger.info({ req: { headers: { authorization: 'Bearer eyJsecret' } }, session: { token: 'eyJtoken' } }, 'four');
    // Without the timestamps, whose milliseconds may read 654 or 987 as well.
    const output = lines.map((line) => JSON.stringify({ ...(JSON.parse(line) as Record<string, unknown>), time: undefined })).join('\n');
    for (const secret of ['hunter2', '4242424242424242', '4000000000000002', '987', '654', 'eyJsecret', 'eyJtoken']) {
      expect(output).not.toContain(secret);
    }
    expect(output.match(/\[redacted\]/g)?.length).toBe(8);
  });

  it('keeps everything else', () => {
    const { lines, logger } = capture();
    logger.info({ orderId: 'o-1', last4: '4242' }, 'placed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ orderId: 'o-1', last4: '4242', msg: 'placed' });
  });

  it('writes each bound field once per line, keeping the bound value when a line names the same field', () => {
    const { lines, logger } = capture({ service: 'shop' });
    logger.info({ service: 'inventory', url: 'http://127.0.0.1:3001' }, 'named again');
    logger.child({ component: 'rpc-server' }).warn({ service: 'shop' }, 'from a child');
    runInCall({ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16) }, () => logger.info('inside a call'));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(occurrences(line, 'service'), line).toBe(1);
      expect(JSON.parse(line)).toMatchObject({ service: 'shop' });
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ url: 'http://127.0.0.1:3001', msg: 'named again' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ traceId: 'c'.repeat(32), msg: 'inside a call' });
  });

  it('puts the current call’s trace on lines written inside it, and nothing on lines outside', () => {
    const { lines, logger } = capture();
    runInCall({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, () => logger.info({ orderId: 'o-1' }, 'inside'));
    logger.info({ orderId: 'o-2' }, 'outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), orderId: 'o-1' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('traceId');
    expect(JSON.parse(lines[1]!)).toMatchObject({ orderId: 'o-2', msg: 'outside' });
  });
});
