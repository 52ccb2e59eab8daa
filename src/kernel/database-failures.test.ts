import { describe, expect, it } from 'vitest';
import { runInCall } from './call-context.js';
import { isRead, runStatement, runTransaction, transientEffect, type TransactionStage } from './database-failures.js';

const failure = (code: string): Error => Object.assign(new Error(code), { code });

/** A statement that fails with `codes` in turn, then answers `ok`; counts its sends. */
const flaky = (...codes: string[]) => {
  let sends = 0;
  return {
    sends: () => sends,
    start: async (): Promise<string> => {
      const code = codes[sends];
      sends += 1;
      if (code !== undefined) throw failure(code);
      return 'ok';
    },
  };
};

describe('transient database failures', () => {
  it('tells what a failure did to the statement: nothing, maybe something, or it is not transient', () => {
    for (const code of ['ECONNREFUSED', 'CONNECT_TIMEOUT', '57P03', '08001', '53300', '40001', '40P01']) expect(transientEffect(failure(code))).toBe('not-run');
    for (const code of ['ECONNRESET', 'CONNECTION_CLOSED', '57P01', '57P02', '08006', '08003', 'STATEMENT_STALLED']) expect(transientEffect(failure(code))).toBe('maybe-run');
    for (const code of ['23505', '42P01', '57014']) expect(transientEffect(failure(code))).toBeUndefined();
    expect(transientEffect(new Error('no code'))).toBeUndefined();
  });

  it('knows a read by its first word', () => {
    expect(isRead('select 1')).toBe(true);
    expect(isRead('  (SELECT * from t) union (select * from u)')).toBe(true);
    expect(isRead('with x as (delete from t returning *) select * from x')).toBe(false);
    expect(isRead('insert into t values (1)')).toBe(false);
  });

  it('sends a read again after any transient failure, and a write only after one that did not run', async () => {
    const read = flaky('57P01', 'ECONNREFUSED');
    expect(await runStatement(read.start, true)).toBe('ok');
    expect(read.sends()).toBe(3);
    const write = flaky('40P01', '57P03');
    expect(await runStatement(write.start, false)).toBe('ok');
    expect(write.sends()).toBe(3);
  });

  it('reports a write cut off mid-way as OUTCOME_UNKNOWN, without sending it again', async () => {
    const write = flaky('ECONNRESET');
    await expect(runStatement(write.start, false)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', cause: { code: 'ECONNRESET' } });
    expect(write.sends()).toBe(1);
  });

  it('gives up with SERVICE_UNAVAILABLE at the caller’s deadline, and passes other errors through', async () => {
    const down = flaky(...Array.from({ length: 100 }, () => 'ECONNREFUSED'));
    const call = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), deadline: Date.now() + 200 };
    await expect(runInCall(call, () => runStatement(down.start, true))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(down.sends()).toBeLessThan(100);
    await expect(runStatement(flaky('23505').start, false)).rejects.toMatchObject({ code: '23505' });
  });

  it('reports a transaction by where it failed: retried before its work, rolled back during it, unknown at its commit', async () => {
    const failingAt = (stage: TransactionStage, code: string, times = 1) => {
      let runs = 0;
      return {
        runs: () => runs,
        start: async (at: { current: TransactionStage }) => {
          runs += 1;
          if (runs > times) return 'committed';
          at.current = stage;
          throw failure(code);
        },
      };
    };
    const atBegin = failingAt('begin', 'ECONNREFUSED', 2);
    expect(await runTransaction(atBegin.start)).toBe('committed');
    expect(atBegin.runs()).toBe(3);
    const inWork = failingAt('work', '57P01');
    await expect(runTransaction(inWork.start)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(inWork.runs()).toBe(1);
    await expect(runTransaction(failingAt('commit', 'ECONNRESET').start)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    // A commit the server refused (serialization failure) surely did not happen.
    await expect(runTransaction(failingAt('commit', '40001').start)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
