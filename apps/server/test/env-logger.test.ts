import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergeEnv, readEnvFile } from '../src/env-file.js';
import { ServerError } from '../src/errors.js';
import { createLogger, SecretRedactor } from '../src/logger.js';

describe('env file', () => {
  it('parses dotenv syntax and lets the real environment win', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'naftiko-env-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, '# comment\nSTORE_HASH=from-file\nBIGCOMMERCE_API_KEY="quoted value"\nEMPTY=\n');
    const fromFile = readEnvFile(file);
    expect(fromFile).toEqual({ STORE_HASH: 'from-file', BIGCOMMERCE_API_KEY: 'quoted value', EMPTY: '' });
    expect(mergeEnv(fromFile, { STORE_HASH: 'from-env', OTHER: undefined })).toEqual({
      STORE_HASH: 'from-env',
      BIGCOMMERCE_API_KEY: 'quoted value',
      EMPTY: '',
    });
  });

  it('a missing env file is a usage error naming it', () => {
    try {
      readEnvFile('/nonexistent/.env');
      expect.unreachable();
    } catch (e) {
      expect(ServerError.isInstance(e)).toBe(true);
      expect((e as ServerError).code).toBe('SERVER_USAGE');
      expect((e as ServerError).message).toContain('/nonexistent/.env');
    }
  });
});

describe('logger', () => {
  function capture() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    return { lines, destination };
  }

  it('writes JSON lines and redacts secret values anywhere, raw or JSON-escaped', () => {
    const { lines, destination } = capture();
    const redactor = new SecretRedactor();
    const { logger } = createLogger({ pretty: false, destination, redactor, level: 'debug' });
    redactor.add(['s3cr3t-value', 'quo"ted\\secret', 'ab']);
    logger.info({ detail: 'upstream said s3cr3t-value was refused', nested: { v: 'quo"ted\\secret' } }, 'hello s3cr3t-value');
    logger.info({ short: 'ab' }, 'short values are left alone');
    const text = lines.join('');
    expect(text).not.toContain('s3cr3t-value');
    expect(text).not.toContain('quo\\"ted\\\\secret');
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('"short":"ab"');
    const first = JSON.parse(lines[0]!);
    expect(first.msg).toBe('hello [REDACTED]');
    expect(first.nested.v).toBe('[REDACTED]');
  });

  it('pretty output (terminals) is human text, redacted too', () => {
    const { lines, destination } = capture();
    const redactor = new SecretRedactor();
    redactor.add(['pretty-secret-value']);
    const { logger } = createLogger({ pretty: true, destination, redactor });
    logger.warn({ detail: 'pretty-secret-value' }, 'listening without auth');
    const text = lines.join('');
    expect(text).toContain('WARN');
    expect(text).toContain('listening without auth');
    expect(text).not.toContain('pretty-secret-value');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('redacts credential headers by path', () => {
    const { lines, destination } = capture();
    const { logger } = createLogger({ pretty: false, destination });
    logger.info({ req: { headers: { authorization: 'Bearer abc', 'x-auth-token': 'tok', accept: '*/*' } } }, 'req');
    const line = JSON.parse(lines[0]!);
    expect(line.req.headers).toEqual({ authorization: '[REDACTED]', 'x-auth-token': '[REDACTED]', accept: '*/*' });
  });

  it('the error class is branded across copies', () => {
    const e = new ServerError('SERVER_LISTEN', 'x', { details: ['a'] });
    expect(ServerError.isInstance(e)).toBe(true);
    expect(ServerError.isInstance({ code: 'SERVER_LISTEN' })).toBe(false);
    expect(ServerError.isInstance({ [Symbol.for('naftiko-ts.server.error')]: true })).toBe(true);
  });
});

describe('start-up cost', () => {
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

  it.skipIf(!existsSync(dist))('serving (stderr not a terminal) does not load pino-pretty; pretty output does', () => {
    // A fresh process: the built server on the embedded seed, as `naftiko-ts serve` runs it.
    const script = `
      import { createRequire } from 'node:module';
      const { createLogger, startServer } = await import(${JSON.stringify(dist)});
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((k) => k.includes('/node_modules/pino-pretty/'));
      const { logger } = createLogger({ level: 'silent' });
      const handle = await startServer({ restPort: 0, mcpPort: 0, vars: { store_hash: 'abc' }, env: { BIGCOMMERCE_API_KEY: 'k-123456' }, logger });
      const serving = loaded();
      await handle.close();
      createLogger({ pretty: true, level: 'silent' });
      process.stdout.write(JSON.stringify({ serving, pretty: loaded() }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual({ serving: false, pretty: true });
  });
});
