import { describe, expect, it } from 'vitest';
import { DEV_STOREFRONT_ONLY_TOKEN, EmulatorError, startEmulator } from '../src/index.js';
import { call, expectRateLimitHeaders, IMPERSONATION_PATH, mint, STOREFRONT_PATH, withEmulator } from './helpers.js';

describe('headers on every response', () => {
  it('X-Request-Id (32 hex, unique) and the four X-Rate-Limit-* headers on successes, errors, 404, GraphQL and faults', async () => {
    await withEmulator({ rateLimit: { quota: 5 } }, async (e) => {
      const replies = [
        await mint(e),
        await call(e, '/nothing/here', { method: 'GET' }),
        await call(e, '/stores/unknown/v3/x', { method: 'GET' }),
        await call(e, IMPERSONATION_PATH, { method: 'GET' }),
        await mint(e, undefined, { 'x-auth-token': 'bad' }),
        await mint(e, undefined, { 'x-auth-token': DEV_STOREFRONT_ONLY_TOKEN }),
        await mint(e, '{', {}),
        await mint(e), // 429: the sixth request to dev-store (quota 5)
        await call(e, STOREFRONT_PATH, { method: 'DELETE', headers: { 'x-auth-token': 'bad' } }),
        await call(e, '/graphql', { headers: { 'x-bc-store-hash': 'dev-store' } }),
        await call(e, '/graphql', {}),
      ];
      e.injectFault({ kind: 'status', status: 503 });
      replies.push(await mint(e));
      e.injectFault({ kind: 'garbage' });
      replies.push(await call(e, '/x', { method: 'GET' }));
      expect(replies.map((r) => r.status)).toEqual([200, 404, 404, 405, 401, 403, 422, 429, 401, 401, 404, 503, 503]);
      for (const r of replies) expectRateLimitHeaders(r);
      const ids = new Set(replies.map((r) => r.headers['x-request-id']));
      expect(ids.size).toBe(replies.length);
      // Content types: JSON on 200, problem+json on REST errors.
      expect(replies[0]?.headers['content-type']).toBe('application/json');
      for (const r of replies.slice(1, 9)) expect(r.headers['content-type']).toBe('application/problem+json');
    });
  });

  it('HEAD gets headers without a body', async () => {
    await withEmulator({}, async (e) => {
      const r = await call(e, IMPERSONATION_PATH, { method: 'HEAD' });
      expect(r.status).toBe(405);
      expect(r.text).toBe('');
      expectRateLimitHeaders(r);
    });
  });
});

describe('startEmulator', () => {
  it('listens on 127.0.0.1 with an ephemeral port by default', async () => {
    await withEmulator({}, async (e) => {
      expect(e.url).toBe(`http://127.0.0.1:${e.port}`);
      expect(e.port).toBeGreaterThan(0);
      expect(e.config.host).toBe('127.0.0.1');
    });
  });

  it('rejects bad configuration with EMULATOR_CONFIG, never echoing a token', async () => {
    const bad = [
      { stores: [{ hash: '', storeId: 1, channels: [1] }] },
      { stores: [{ hash: 'a', storeId: 1.5, channels: [1] }] },
      { stores: [{ hash: 'a', storeId: 1, channels: [0] }] },
      { tokens: [{ token: 'secret-abc', storeHash: 'missing', clientId: 'x', scopes: [] }] },
      { tokens: [
        { token: 'secret-abc', storeHash: 'dev-store', clientId: 'x', scopes: [] },
        { token: 'secret-abc', storeHash: 'dev-store', clientId: 'y', scopes: [] },
      ] },
      { rateLimit: { quota: 0 } },
    ];
    for (const options of bad) {
      const error = await startEmulator(options).then(() => undefined, (e: unknown) => e);
      expect(EmulatorError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as EmulatorError).code).toBe('EMULATOR_CONFIG');
      expect((error as Error).message).not.toContain('secret-abc');
    }
  });

  it('keeps only the last maxRecordedRequests requests (0 records nothing)', async () => {
    await withEmulator({ maxRecordedRequests: 2 }, async (e) => {
      for (const p of ['/a', '/b', '/c']) await call(e, p, { method: 'GET' });
      expect(e.requests.map((r) => r.path)).toEqual(['/b', '/c']);
    });
    await withEmulator({ maxRecordedRequests: 0 }, async (e) => {
      expect((await mint(e)).status).toBe(200);
      expect(e.requests).toHaveLength(0);
    });
  });

  it('a busy port gives EMULATOR_LISTEN', async () => {
    await withEmulator({}, async (e) => {
      const error = await startEmulator({ port: e.port }).then(() => undefined, (err: unknown) => err);
      expect(EmulatorError.isInstance(error)).toBe(true);
      expect((error as EmulatorError).code).toBe('EMULATOR_LISTEN');
    });
  });

  it('logs one debug line per request without secrets', async () => {
    const lines: Array<[object, string | undefined]> = [];
    const log = (obj: object, msg?: string) => void lines.push([obj, msg]);
    await withEmulator({ logger: { debug: log, info: log, warn: log, error: log } }, async (e) => {
      await mint(e);
      await mint(e, undefined, { 'x-auth-token': 'very-secret-token' });
      // 'finish' fires after the response is written; wait for both lines without timing.
      while (lines.length < 2) await new Promise((r) => setImmediate(r));
    });
    expect(lines.map(([o]) => (o as { status: number }).status)).toEqual([200, 401]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain('dev-token');
  });
});
