import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { linkProductionDependencies } from '../../test/support/production-dependencies.js';
import { ConfigError } from './environment.js';
import { logFormatOf } from './log-format.js';
import { createLogger } from './logger.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** A script that logs one line through the default logger, to standard output. */
const logOneLine = `import { createLogger } from './src/kernel/logger.ts';
createLogger({ level: 'info', base: { service: 'shop' } }).info({ orderId: 'o-1' }, 'order placed');`;

/** Runs `logOneLine` in `cwd` under tsx, as `script` (a terminal) or with its output piped; its output lines. */
const runLogScript = async (cwd: string, env: Record<string, string>, terminal: boolean): Promise<string[]> => {
  const node = [process.execPath, '--import', join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs'), '--input-type=module', '-e', logOneLine];
  const quoted = node.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
  const { stdout } = terminal
    ? await run('script', ['-qefc', quoted, '/dev/null'], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } })
    : await run(node[0]!, node.slice(1), { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
  return stdout.split(/\r?\n/).filter((line) => line !== '');
};

/** Without colour codes, as a person reads the terminal. */
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('logFormatOf', () => {
  it.each([
    { case: 'a terminal in development', env: { NODE_ENV: 'development' }, terminal: true, format: 'pretty' },
    { case: 'a terminal, NODE_ENV unset', env: {}, terminal: true, format: 'pretty' },
    { case: 'a terminal in production', env: { NODE_ENV: 'production' }, terminal: true, format: 'json' },
    { case: 'a pipe in development', env: { NODE_ENV: 'development' }, terminal: false, format: 'json' },
    { case: 'LOG_FORMAT=json at a terminal', env: { LOG_FORMAT: 'json' }, terminal: true, format: 'json' },
    { case: 'LOG_FORMAT=pretty to a pipe in production', env: { LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, terminal: false, format: 'pretty' },
    { case: 'LOG_FORMAT=auto at a terminal', env: { LOG_FORMAT: 'auto' }, terminal: true, format: 'pretty' },
    { case: 'LOG_FORMAT empty, to a pipe', env: { LOG_FORMAT: '' }, terminal: false, format: 'json' },
  ])('chooses $format for $case', ({ env, terminal, format }) => {
    expect(logFormatOf({ env, stdoutIsTerminal: terminal })).toBe(format);
  });

  it('refuses an unknown LOG_FORMAT, naming the variable, the choices and the value', () => {
    const choose = () => logFormatOf({ env: { LOG_FORMAT: 'yaml' }, stdoutIsTerminal: true });
    expect(choose).toThrow(ConfigError);
    expect(choose).toThrow(/LOG_FORMAT: expected "auto", "json" or "pretty", got "yaml"/);
  });
});

describe('pretty log lines', () => {
  it('reads as a line of text: time, level word, service and message, then the fields; secrets still redacted', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
        done();
      },
    });
    const logger = createLogger({ level: 'info', base: { service: 'shop' }, destination, format: 'pretty' });
    logger.info('listening');
    logger.warn({ orderId: 'o-1', password: 'hunter2-top' }, 'payment declined');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: shop \| listening$/);
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: shop \| payment declined /);
    expect(lines[1]).toContain('"orderId":"o-1"');
    expect(lines[1]).toContain('[redacted]');
    expect(lines[1]).not.toContain('hunter2');
    // No colour codes in a stream that is not a terminal.
    expect(lines.join('\n')).toBe(plain(lines.join('\n')));
  });

  it('are what a process writes to a real terminal, and JSON when the same output is piped', async () => {
    const atTerminal = await runLogScript(root, { NODE_ENV: 'development' }, true);
    expect(atTerminal.map(plain)).toEqual([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: shop \| order placed \{"orderId":"o-1"\}$/)]);
    const piped = await runLogScript(root, { NODE_ENV: 'development' }, false);
    expect(piped.map((line) => JSON.parse(line) as unknown)).toEqual([expect.objectContaining({ level: 30, service: 'shop', orderId: 'o-1', msg: 'order placed' })]);
    const production = await runLogScript(root, { NODE_ENV: 'production' }, true);
    expect(production.map((line) => JSON.parse(line) as unknown)).toEqual([expect.objectContaining({ msg: 'order placed' })]);
  });

  it('fall back to JSON, saying why, where only production dependencies are installed (no pino-pretty)', async () => {
    const app = mkdtempSync(join(tmpdir(), 'seam-log-format-'));
    try {
      writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
      mkdirSync(join(app, 'node_modules'));
      expect(linkProductionDependencies(root, join(app, 'node_modules'))).not.toContain('pino-pretty');
      // The logger and what it imports, copied: a link would resolve back into this repository, where pino-pretty is.
      mkdirSync(join(app, 'src', 'kernel'), { recursive: true });
      for (const file of ['logger.ts', 'log-format.ts', 'call-context.ts', 'environment.ts']) copyFileSync(join(root, 'src', 'kernel', file), join(app, 'src', 'kernel', file));
      const lines = (await runLogScript(app, { LOG_FORMAT: 'pretty' }, false)).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({ level: 40, msg: expect.stringContaining('pino-pretty (a development dependency) is not installed') }),
        expect.objectContaining({ level: 30, orderId: 'o-1', msg: 'order placed' }),
      ]);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
