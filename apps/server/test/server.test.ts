/** startServer in-process: merging, clean failures, nothing half-started. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DEV_ACCESS_TOKEN, DEV_STORE_HASH, startEmulator } from '@naftiko-ts/bigcommerce-emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ServerError } from '../src/errors.js';
import { createLogger, SecretRedactor } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { fixtures, mcpRpc, SEED_NS, startRecordingStub } from './helpers.js';

const minimal = readFileSync(path.join(fixtures, 'good/minimal.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'naftiko-server-'));
for (const n of ['a', 'b']) {
  writeFileSync(
    path.join(dir, `${n}.yaml`),
    minimal
      .replaceAll('echo-', `${n}-`)
      .replace('/v1/items/{itemId}', `/v1/${n}/{itemId}`)
      .replace('name: get-item\n          description', `name: get-${n}\n          description`),
  );
}

function quietLogger(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const redactor = new SecretRedactor();
  return { lines, ...createLogger({ pretty: false, destination, level, redactor }) };
}

async function rejection(p: Promise<unknown>): Promise<ServerError> {
  try {
    await p;
  } catch (e) {
    expect(ServerError.isInstance(e), String(e)).toBe(true);
    return e as ServerError;
  }
  throw new Error('expected startServer to fail');
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

let stub: Awaited<ReturnType<typeof startRecordingStub>>;
beforeAll(async () => {
  stub = await startRecordingStub();
});
afterAll(async () => {
  await stub?.close();
});

describe('startServer', { timeout: 120_000 }, () => {
  it('merges two files onto one REST and one MCP listener; both answer; close() is idempotent', async () => {
    const { logger } = quietLogger();
    const server = await startServer({
      paths: [dir],
      baseUris: { 'a-api': `${stub.url}/a`, 'b-api': `${stub.url}/b` },
      restPort: 0,
      mcpPort: 0,
      env: {},
      logger,
    });
    try {
      expect(server.listeners.map((l) => [l.kind, l.files.length, l.serves])).toEqual([
        ['rest', 2, ['GET /v1/a/{itemId}', 'GET /v1/b/{itemId}']],
        ['mcp', 2, ['get-a', 'get-b']],
      ]);
      const rest = server.listeners[0]!.url;
      for (const n of ['a', 'b']) {
        const res = await fetch(`${rest}/v1/${n}/42`);
        expect(res.status).toBe(200);
        expect(stub.requests.at(-1)!.url).toBe(`/${n}/items/42`);
      }
      expect((await fetch(`${rest}/readyz`)).status).toBe(200);
      const reply = await mcpRpc(server.listeners[1]!.url, 'tools/call', { name: 'get-b', arguments: { itemId: '7' } });
      expect(reply.result.isError).toBeFalsy();
      expect(stub.requests.at(-1)!.url).toBe('/b/items/7');
    } finally {
      await Promise.all([server.close(), server.close()]);
    }
    expect(await refused(server.listeners[0]!.port)).toBe(true);
    expect(await refused(server.listeners[1]!.port)).toBe(true);
  });

  it('serves an operation imported from a fragment file (read relative to the capability)', async () => {
    const { logger } = quietLogger();
    const server = await startServer({
      paths: [path.join(fixtures, 'imports/capability.yaml')],
      baseUris: { 'stock-api': `${stub.url}/inv` },
      restPort: 0,
      env: {},
      logger,
    });
    try {
      expect(server.listeners.map((l) => l.kind)).toEqual(['rest']);
      const res = await fetch(`${server.listeners[0]!.url}/v1/stock/SKU-1`);
      expect(res.status).toBe(200);
      expect(stub.requests.at(-1)!.url).toBe('/inv/stock/SKU-1');
    } finally {
      await server.close();
    }
  });

  it('exposed-side authentication reads its secret from the given env, and the secret stays out of the logs', async () => {
    const file = path.join(dir, 'auth', 'secured.yaml');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      minimal
        .replace('capability:\n', 'binds:\n  - namespace: env\n    keys:\n      REST_TOKEN: REST_TOKEN_SOURCE\ncapability:\n')
        .replace('      port: 8080\n', '      port: 8080\n      authentication:\n        type: bearer\n        token: "{{env.REST_TOKEN}}"\n'),
    );
    const token = 'exposed-rest-token-0123456789';
    const { logger, lines } = quietLogger('debug');
    const server = await startServer({
      paths: [file],
      baseUris: { 'echo-api': `${stub.url}/secured` },
      restPort: 0,
      mcpPort: 0,
      env: { REST_TOKEN_SOURCE: token },
      logger,
    });
    try {
      const url = `${server.listeners[0]!.url}/v1/items/1`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      // The caller's credentials are never forwarded upstream.
      expect(stub.requests.at(-1)!.headers.authorization).toBeUndefined();
      logger.info({ echo: `configured ${token}` }, 'a careless log line');
    } finally {
      await server.close();
    }
    const text = lines.join('');
    expect(text).toContain('a careless log line');
    expect(text).not.toContain(token);
  });

  it('a listener that cannot open closes the ones already open (nothing half-started)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    const { logger, lines } = quietLogger();
    try {
      const e = await rejection(
        startServer({ paths: [path.join(dir, 'a.yaml')], baseUris: { 'a-api': stub.url }, restPort: 0, mcpPort: busy, env: {}, logger }),
      );
      expect(e.code).toBe('SERVER_LISTEN');
      expect(e.message).toBe(`port ${busy} on 127.0.0.1 is already in use; pick another with --mcp-port (0 picks a free port)`);
      // The REST listener opened first (fastify logged its address) and is closed again.
      const opened = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(lines.join(''));
      expect(opened, lines.join('')).not.toBeNull();
      expect(await refused(Number(opened![1]))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('error diagnostics stop start-up with every error formatted file:line:col', async () => {
    const e = await rejection(startServer({ paths: [path.join(fixtures, 'broken')], env: {} }));
    expect(e.code).toBe('SERVER_DIAGNOSTICS');
    expect(e.details.length).toBeGreaterThanOrEqual(3);
    for (const d of e.details) expect(d).toMatch(/^\S+\.yaml:\d+:\d+ error [a-z-]+ /);
  });

  it('--base-uri naming no consumed namespace is refused (a typo must not silently hit the real API)', async () => {
    const e = await rejection(startServer({ baseUris: { 'storefront-token': 'http://127.0.0.1:1' }, env: {} }));
    expect(e.code).toBe('SERVER_USAGE');
    expect(e.details[0]).toContain('no consumes block has namespace `storefront-token`');
    expect(e.details[0]).toContain('storefront-token-customer-impersonation-token');
  });

  it('missing variables and secrets are reported all at once, naming how to set each', async () => {
    const e = await rejection(startServer({ env: {}, restPort: 0, mcpPort: 0 }));
    expect(e.code).toBe('SERVER_CONFIG');
    expect(e.details.join('\n')).toContain('BIGCOMMERCE_API_KEY');
    expect(e.details.join('\n')).toMatch(/STORE_HASH.*--var store_hash=/);
  });

  it('close() is bounded: a request stuck upstream does not keep the server from stopping', async () => {
    const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
    emulator.injectFault({ kind: 'hang', match: { path: 'api-token-customer-impersonation' } });
    const { logger } = quietLogger();
    const server = await startServer({
      baseUris: { [SEED_NS]: `${emulator.url}/stores/{store_hash}/v3` },
      env: { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: DEV_ACCESS_TOKEN },
      restPort: 0,
      mcpPort: 0,
      shutdownTimeoutMs: 300,
      logger,
    });
    try {
      const pending = fetch(`${server.listeners[0]!.url}/v1/storefront/api-token-customer-impersonation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel_ids: [1], expires_at: 2147483647 }),
      }).then(
        (r) => r.status,
        () => 'connection closed',
      );
      await vi.waitFor(() => expect(emulator.requests).toHaveLength(1), { timeout: 10_000, interval: 20 });
      // Without the bound this waits for the consumer's 30 s header timeout (and the test times out).
      await server.close();
      expect(await pending).toBe('connection closed');
    } finally {
      await emulator.close();
    }
  }, 20_000);
});
