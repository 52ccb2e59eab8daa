import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, milliseconds, parseEnvironment, seconds, wholeNumber } from './environment.js';

const schema = z.object({
  TIMEOUT_MS: milliseconds(0).default(100),
  LEASE_SECONDS: seconds(1).default(30),
  RETRIES: wholeNumber('attempts', 3).optional(),
});

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseEnvironment(schema, env);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
};

describe('environment values', () => {
  it('reads whole numbers from strings and falls back to defaults', () => {
    expect(parseEnvironment(schema, { TIMEOUT_MS: '0', RETRIES: '5' })).toEqual({ TIMEOUT_MS: 0, LEASE_SECONDS: 30, RETRIES: 5 });
  });

  it('says what a whole number of a unit is, at least how many, in the singular for one', () => {
    expect(problemsOf({ TIMEOUT_MS: '-1' })).toContain('TIMEOUT_MS: expected a whole number of milliseconds, got "-1"');
    expect(problemsOf({ TIMEOUT_MS: '1.5' })).toContain('TIMEOUT_MS: expected a whole number of milliseconds, got "1.5"');
    expect(problemsOf({ LEASE_SECONDS: '0' })).toContain('LEASE_SECONDS: expected at least 1 second, got "0"');
    expect(problemsOf({ RETRIES: '2' })).toContain('RETRIES: expected at least 3 attempts, got "2"');
  });

  it('reports every invalid variable in one message', () => {
    expect(problemsOf({ TIMEOUT_MS: 'soon', LEASE_SECONDS: 'never' })).toBe(
      'Invalid configuration:\n  TIMEOUT_MS: expected a whole number of milliseconds, got "soon"\n  LEASE_SECONDS: expected a whole number of seconds, got "never"',
    );
  });
});
