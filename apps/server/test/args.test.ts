import { describe, expect, it } from 'vitest';
import { parseOpenApiArgs, parsePairs, parsePort, parseServeArgs, parseValidateArgs } from '../src/args.js';
import { ServerError } from '../src/errors.js';

function usageError(fn: () => unknown): ServerError {
  try {
    fn();
  } catch (e) {
    expect(ServerError.isInstance(e)).toBe(true);
    expect((e as ServerError).code).toBe('SERVER_USAGE');
    return e as ServerError;
  }
  throw new Error('expected a usage error');
}

describe('serve arguments', () => {
  it('defaults: no path, loopback decided later, info logs, fail on conflict', () => {
    expect(parseServeArgs([])).toEqual({
      paths: [],
      vars: {},
      baseUris: {},
      stdio: false,
      logLevel: 'info',
      strict: false,
      onConflict: 'fail',
    });
  });

  it('reads every flag, repeatable --var and --base-uri, values containing =', () => {
    const a = parseServeArgs([
      'a.yaml',
      'dir',
      '--var',
      'store_hash=abc',
      '--var',
      'q=x=y',
      '--base-uri',
      'ns=http://127.0.0.1:4010/stores/{store_hash}/v3',
      '--host',
      '0.0.0.0',
      '--rest-port',
      '0',
      '--mcp-port',
      '9091',
      '--env-file',
      '.env',
      '--stdio',
      '--log-level',
      'debug',
      '--strict',
      '--on-conflict',
      'rename',
    ]);
    expect(a).toEqual({
      paths: ['a.yaml', 'dir'],
      vars: { store_hash: 'abc', q: 'x=y' },
      baseUris: { ns: 'http://127.0.0.1:4010/stores/{store_hash}/v3' },
      host: '0.0.0.0',
      restPort: 0,
      mcpPort: 9091,
      envFile: '.env',
      stdio: true,
      logLevel: 'debug',
      strict: true,
      onConflict: 'rename',
    });
  });

  it.each([
    [['--rest-port', '70000'], /--rest-port expects a port/],
    [['--mcp-port', 'abc'], /--mcp-port expects a port/],
    [['--rest-port', '-1'], /./],
    [['--var', 'novalue'], /--var expects NAME=VALUE/],
    [['--var', '=x'], /--var expects NAME=VALUE/],
    [['--base-uri', 'ns=ftp://x'], /expects an http\(s\) URL/],
    [['--log-level', 'loud'], /--log-level expects one of/],
    [['--on-conflict', 'merge'], /--on-conflict expects one of/],
    [['--bogus'], /bogus/],
    [['--host', ''], /--host expects an address/],
  ])('rejects %j', (args, message) => {
    expect(usageError(() => parseServeArgs(args as string[])).message).toMatch(message);
  });
});

describe('validate and openapi arguments', () => {
  it('validate needs a path and a known format', () => {
    expect(parseValidateArgs(['x.yaml', '--strict', '--format', 'json'])).toEqual({
      paths: ['x.yaml'],
      strict: true,
      format: 'json',
    });
    expect(usageError(() => parseValidateArgs([])).message).toMatch(/at least one FILE/);
    expect(usageError(() => parseValidateArgs(['x', '--format', 'xml'])).message).toMatch(/text or json/);
  });

  it('openapi takes at most one file', () => {
    expect(parseOpenApiArgs([])).toEqual({ file: '', strict: false });
    expect(parseOpenApiArgs(['a.yaml'])).toEqual({ file: 'a.yaml', strict: false });
    usageError(() => parseOpenApiArgs(['a', 'b']));
  });

  it('pairs and ports helpers', () => {
    expect(parsePairs('--var', undefined)).toEqual({});
    expect(parsePort('--rest-port', undefined)).toBeUndefined();
    expect(parsePort('--rest-port', '65535')).toBe(65535);
  });
});
