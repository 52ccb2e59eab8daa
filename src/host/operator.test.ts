import { describe, expect, it } from 'vitest';
import { metricsPlacement } from './operator.js';

const gateway = { gateway: true };
const rpcOnly = { gateway: false };

describe('where /metrics is served', () => {
  it('on the operator port when one is set, with the token when one is set', () => {
    expect(metricsPlacement({ env: 'production', operator: { port: 9464 } }, gateway)).toEqual({ where: 'operator-port', port: 9464 });
    expect(metricsPlacement({ env: 'development', operator: { port: 9464, token: 'sixteen-chars-xx' } }, rpcOnly)).toEqual({
      where: 'operator-port',
      port: 9464,
      token: 'sixteen-chars-xx',
    });
  });

  it('behind the token on the service port when only a token is set', () => {
    expect(metricsPlacement({ env: 'production', operator: { token: 'sixteen-chars-xx' } }, gateway)).toEqual({ where: 'service-port', token: 'sixteen-chars-xx' });
  });

  it('nowhere on a production gateway with neither: its port is public', () => {
    expect(metricsPlacement({ env: 'production', operator: {} }, gateway)).toEqual({ where: 'nowhere' });
  });

  it('open on the port of a service that serves only RPC, and in development', () => {
    expect(metricsPlacement({ env: 'production', operator: {} }, rpcOnly)).toEqual({ where: 'service-port' });
    expect(metricsPlacement({ env: 'development', operator: {} }, gateway)).toEqual({ where: 'service-port' });
    expect(metricsPlacement({ env: 'test', operator: {} }, gateway)).toEqual({ where: 'service-port' });
  });
});
