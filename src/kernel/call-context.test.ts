import { describe, expect, it } from 'vitest';
import { beyondDeadline, currentCall, outsideCall, runInCall } from './call-context.js';

const call = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), deadline: Date.now() + 1000 };

describe('call context', () => {
  it('keeps the trace but drops the deadline for work that outlives its call', async () => {
    const seen = await runInCall(call, () => beyondDeadline(async () => currentCall()));
    expect(seen).toEqual({ traceId: call.traceId, spanId: call.spanId });
    expect(runInCall(call, () => currentCall())).toEqual(call);
    expect(beyondDeadline(() => currentCall())).toBeUndefined();
  });

  it('leaves the call behind for work scheduled from inside it', async () => {
    const seen = await runInCall(call, () => outsideCall(() => new Promise((resolve) => setTimeout(() => resolve(currentCall()), 1))));
    expect(seen).toBeUndefined();
    expect(await runInCall(call, () => new Promise((resolve) => setTimeout(() => resolve(currentCall()), 1)))).toEqual(call);
  });
});
