import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { call, expectRateLimitHeaders, IMPERSONATION_PATH, mint, PROBLEM_TYPE_URL } from './helpers.js';

describe('fault injection', () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator();
  });
  afterEach(() => emu.close());

  it('status: 500 and 503 with a BaseError body and the usual headers, `times` limits it', async () => {
    emu.injectFault({ kind: 'status', times: 1 });
    emu.injectFault({ kind: 'status', status: 503, times: 1 });
    const first = await mint(emu);
    expect(first.status).toBe(500);
    expect(first.headers['content-type']).toBe('application/problem+json');
    expect(first.json).toEqual({ status: 500, title: 'Internal Server Error', type: PROBLEM_TYPE_URL, errors: {} });
    expectRateLimitHeaders(first);
    const second = await mint(emu);
    expect(second.status).toBe(503);
    expect(second.json).toMatchObject({ status: 503, type: PROBLEM_TYPE_URL, errors: {} });
    expect((await mint(emu)).status).toBe(200);
  });

  it('match by method and by path substring or RegExp; clearFaults removes rules', async () => {
    emu.injectFault({ kind: 'status', status: 503, match: { method: 'delete' } });
    emu.injectFault({ kind: 'status', status: 500, match: { path: /api-token-private$/ } });
    emu.injectFault({ kind: 'status', status: 502, match: { path: '/graphql' } });
    expect((await mint(emu)).status).toBe(200);
    expect((await call(emu, '/stores/dev-store/v3/storefront/api-token', { method: 'DELETE' })).status).toBe(503);
    expect((await call(emu, '/stores/dev-store/v3/storefront/api-token-private', {})).status).toBe(500);
    expect((await call(emu, '/graphql', {})).status).toBe(502);
    emu.clearFaults();
    expect((await call(emu, '/stores/dev-store/v3/storefront/api-token-private', {})).status).toBe(401);
  });

  it('faults given at start-up apply', async () => {
    const e = await startEmulator({ faults: [{ kind: 'status', status: 503, times: 2 }] });
    try {
      expect((await mint(e)).status).toBe(503);
      expect((await mint(e)).status).toBe(503);
      expect((await mint(e)).status).toBe(200);
    } finally {
      await e.close();
    }
  });

  it('latency: delays, then answers normally (and composes with a following fault)', async () => {
    emu.injectFault({ kind: 'latency', ms: 150, times: 1 });
    const started = performance.now();
    const r = await mint(emu);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(r.status).toBe(200);
    emu.injectFault({ kind: 'latency', ms: 1, times: 1 });
    emu.injectFault({ kind: 'status', status: 503, times: 1 });
    expect((await mint(emu)).status).toBe(503);
    expect((await mint(emu)).status).toBe(200);
  });

  it('garbage: 200 with a JSON content type and a non-JSON body', async () => {
    emu.injectFault({ kind: 'garbage', times: 1 });
    const r = await mint(emu);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(r.text)).toThrow();
    expect(r.text).toContain('<html>');
  });

  it('reset: headers arrive, then the connection is destroyed mid-body', async () => {
    emu.injectFault({ kind: 'reset', times: 1 });
    const res = await request(`${emu.url}${IMPERSONATION_PATH}`, { method: 'POST' });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    expect((await mint(emu)).status).toBe(200);
  });

  it('oversize: a JSON body of the requested size', async () => {
    emu.injectFault({ kind: 'oversize', bytes: 3 * 1024 * 1024 + 7, times: 1 });
    const r = await mint(emu);
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(3 * 1024 * 1024 + 7));
    expect(Buffer.byteLength(r.text)).toBe(3 * 1024 * 1024 + 7);
    expect(r.json.data.token).toMatch(/^A+$/);
  });

  it('hang: never answers, and close() still finishes promptly', async () => {
    emu.injectFault({ kind: 'hang' });
    const pending = request(`${emu.url}${IMPERSONATION_PATH}`, { method: 'POST' });
    // Wait until the emulator has the request, without sleeping for time.
    while (emu.requests.length === 0) await new Promise((r) => setImmediate(r));
    const outcome = pending.then(() => 'answered', () => 'failed');
    await emu.close();
    expect(await outcome).toBe('failed');
  });

  it('close() also ends pending latency and is idempotent', async () => {
    emu.injectFault({ kind: 'latency', ms: 60_000 });
    const pending = request(`${emu.url}${IMPERSONATION_PATH}`, { method: 'POST' }).then(() => 'answered', () => 'failed');
    while (emu.requests.length === 0) await new Promise((r) => setImmediate(r));
    await Promise.all([emu.close(), emu.close()]);
    expect(await pending).toBe('failed');
  });
});
