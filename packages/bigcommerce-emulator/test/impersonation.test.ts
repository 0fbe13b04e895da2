import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_ACCESS_TOKEN,
  DEV_STOREFRONT_ONLY_TOKEN,
  decodeJwt,
  startEmulator,
  type AccessTokenConfig,
  type Emulator,
  type StoreConfig,
} from '../src/index.js';
import { call, expectRateLimitHeaders, FAR_FUTURE, fakeClock, IMPERSONATION_PATH, mint, PROBLEM_TYPE_URL, withEmulator } from './helpers.js';

const TITLE_401 =
  'Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store.';
const BODY_403 = {
  status: 403,
  title: "You don't have a required scope to access the endpoint",
  type: PROBLEM_TYPE_URL,
  errors: {},
};

const STORES: StoreConfig[] = [
  { hash: 'abc123', storeId: 1003273065, channels: [1, 12], customers: [] },
  { hash: 'other', storeId: 1000000002, channels: [1], customers: [] },
];
const TOKENS: AccessTokenConfig[] = [
  { token: 'tok-abc', storeHash: 'abc123', clientId: 'a'.repeat(31), scopes: ['store_storefront_api_customer_impersonation'] },
  { token: 'tok-other', storeHash: 'other', clientId: 'b'.repeat(31), scopes: ['store_storefront_api_customer_impersonation'] },
];
const PATH = '/stores/abc123/v3/storefront/api-token-customer-impersonation';

/** Checks for POST …/api-token-customer-impersonation, one test per row of the contract §6 table, in order. */
describe('impersonation endpoint: §6 checks in order', () => {
  let emu: Emulator;
  const clock = fakeClock();
  beforeAll(async () => {
    emu = await startEmulator({ clock: clock.now });
  });
  afterAll(() => emu.close());

  const problem = (status: number, title: string, errors: Record<string, string> = {}) => ({ status, title, type: PROBLEM_TYPE_URL, errors });

  it('1: unknown path → 404 with no title', async () => {
    for (const path of ['/stores/dev-store/v3/storefront/api-token-customer', '/stores/dev-store/v3/catalog/products', '/', '/stores']) {
      const r = await mint(emu, undefined, {}, path);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.json).toEqual({ status: 404, type: PROBLEM_TYPE_URL });
      expectRateLimitHeaders(r);
    }
  });

  it('2: a method other than POST → 405 BaseError with Allow, before auth', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
      const r = await call(emu, IMPERSONATION_PATH, { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('POST');
      expect(r.json).toMatchObject({ status: 405, type: PROBLEM_TYPE_URL, errors: {} });
      expect(typeof r.json.title).toBe('string');
    }
  });

  it('3: X-Auth-Token missing or unknown → 401', async () => {
    const missing = await call(emu, IMPERSONATION_PATH, { body: { channel_ids: [1], expires_at: FAR_FUTURE }, headers: { 'content-type': 'application/json' } });
    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(missing.json).toEqual(problem(401, TITLE_401));
    const unknown = await mint(emu, undefined, { 'x-auth-token': 'not-a-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual(problem(401, TITLE_401));
    expect(unknown.text).not.toContain('not-a-token');
  });

  it('4: token of another store → 401; unknown store hash → 401 by default, 403 or 404 when configured', async () => {
    await withEmulator({ stores: STORES, tokens: TOKENS }, async (e) => {
      const other = await mint(e, undefined, { 'x-auth-token': 'tok-other' }, PATH);
      expect(other.status).toBe(401);
      expect(other.json).toEqual(problem(401, TITLE_401));
      const unknown = await mint(e, undefined, { 'x-auth-token': 'tok-abc' }, '/stores/nope/v3/storefront/api-token-customer-impersonation');
      expect(unknown.status).toBe(401);
      expect(unknown.json).toEqual(problem(401, TITLE_401));
    });
    const unknownPath = '/stores/store-abc123/v3/storefront/api-token-customer-impersonation';
    await withEmulator({ unknownStore: 403 }, async (e) => {
      const r = await mint(e, undefined, {}, unknownPath);
      expect(r.status).toBe(403);
      expect(r.json).toEqual(BODY_403);
    });
    await withEmulator({ unknownStore: 404 }, async (e) => {
      const r = await mint(e, undefined, {}, unknownPath);
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ status: 404, type: PROBLEM_TYPE_URL });
      // Auth still comes first (check 3 before 4).
      const noAuth = await mint(e, undefined, { 'x-auth-token': '' }, unknownPath);
      expect(noAuth.status).toBe(401);
    });
  });

  it('5: token without store_storefront_api_customer_impersonation → 403, exact body', async () => {
    const r = await mint(emu, undefined, { 'x-auth-token': DEV_STOREFRONT_ONLY_TOKEN });
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.text).toBe(JSON.stringify(BODY_403));
  });

  it('6: quota used up → 429 with Requests-Left 0, Reset-Ms and X-Retry-After (after auth, before content checks)', async () => {
    const c = fakeClock();
    await withEmulator({ clock: c.now, rateLimit: { quota: 2, windowMs: 30_000 } }, async (e) => {
      expect((await mint(e)).status).toBe(200);
      c.advance(10_500);
      expect((await mint(e)).status).toBe(200);
      const r = await mint(e, 'not json', { 'content-type': 'text/plain' });
      expect(r.status).toBe(429);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.json).toMatchObject({ status: 429, type: PROBLEM_TYPE_URL, errors: {} });
      expect(r.headers['x-rate-limit-requests-left']).toBe('0');
      expect(r.headers['x-rate-limit-requests-quota']).toBe('2');
      expect(r.headers['x-rate-limit-time-reset-ms']).toBe('19500');
      expect(r.headers['x-retry-after']).toBe('20');
      // Auth, store and scope failures still win over the quota (checks 3–5 before 6).
      expect((await mint(e, undefined, { 'x-auth-token': 'bad' })).status).toBe(401);
      expect((await mint(e, undefined, { 'x-auth-token': DEV_STOREFRONT_ONLY_TOKEN })).status).toBe(403);
      expect((await mint(e, undefined, {}, '/stores/nope/v3/storefront/api-token-customer-impersonation')).status).toBe(401);
      // Content checks come after the quota (check 7 after 6): the 429 above had a text/plain body.
    });
  });

  it('7: Content-Type not JSON → 415 (missing, text/plain, form); JSON with charset or +json is accepted', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      const r = await mint(emu, undefined, { 'content-type': ct });
      expect(r.status, ct).toBe(415);
      expect(r.json).toMatchObject({ status: 415, type: PROBLEM_TYPE_URL, errors: {} });
    }
    const none = await call(emu, IMPERSONATION_PATH, { body: '{"channel_ids":[1],"expires_at":1}', headers: { 'x-auth-token': DEV_ACCESS_TOKEN } });
    expect(none.status).toBe(415);
    // Checked before the body is parsed (check 7 before 8).
    expect((await mint(emu, '{', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await mint(emu, undefined, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await mint(emu, undefined, { 'content-type': 'Application/JSON' })).status).toBe(200);
  });

  it('8: body unparseable or not an object → 422 "JSON data is missing or invalid"', async () => {
    for (const body of ['', '{', 'null', '[1]', '"text"', '42', '{"expires_at": 1,}']) {
      const r = await mint(emu, body);
      expect(r.status, body).toBe(422);
      expect(r.json, body).toEqual(problem(422, 'JSON data is missing or invalid'));
    }
  });

  it('9: expires_at missing, not an integer or negative → 422 naming expires_at', async () => {
    for (const expires of [undefined, null, '2147483647', 1.5, -1, true, [1], Number.MAX_SAFE_INTEGER + 2]) {
      const r = await mint(emu, { channel_ids: [1], expires_at: expires });
      expect(r.status, String(expires)).toBe(422);
      expect(r.json.title).toBe('The following fields are invalid: expires_at');
      expect(Object.keys(r.json.errors)).toEqual(['expires_at']);
      expect(r.json.type).toBe(PROBLEM_TYPE_URL);
    }
    expect((await mint(emu, { channel_ids: [1], expires_at: 0 })).status).toBe(200);
  });

  it('10: neither channel_id nor channel_ids → 422 keyed channel_id', async () => {
    const r = await mint(emu, { expires_at: FAR_FUTURE });
    expect(r.status).toBe(422);
    expect(r.json.title).toBe('The following fields are invalid: channel_id');
    // expires_at is checked first (check 9 before 10).
    expect((await mint(emu, {})).json.title).toBe('The following fields are invalid: expires_at');
    expect(Object.keys(r.json.errors)).toEqual(['channel_id']);
    expect((await mint(emu, { expires_at: FAR_FUTURE, channel_id: null, channel_ids: null })).status).toBe(422);
  });

  it('11: both channel fields → 422 by default; `prefer-channel-ids` uses channel_ids', async () => {
    const r = await mint(emu, { expires_at: FAR_FUTURE, channel_id: 1, channel_ids: [1] });
    expect(r.status).toBe(422);
    expect(r.json.title).toMatch(/^The following fields are invalid: channel_ids?$/);
    // Both fields is reported before their values are checked (check 11 before 12).
    const bothBad = await mint(emu, { expires_at: FAR_FUTURE, channel_id: 99, channel_ids: [99] });
    expect(bothBad.json.errors.channel_ids).toMatch(/not both/);
    await withEmulator({ stores: STORES, tokens: TOKENS, bothChannels: 'prefer-channel-ids' }, async (e) => {
      const ok = await mint(e, { expires_at: FAR_FUTURE, channel_id: 1, channel_ids: [12] }, { 'x-auth-token': 'tok-abc' }, PATH);
      expect(ok.status).toBe(200);
      expect((decodeJwt(ok.json.data.token).payload as { cid: number[] }).cid).toEqual([12]);
    });
  });

  it('12: channel_id < 1, bad channel_ids, or a channel not on the store → 422 listing the bad ids', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ channel_id: 0 }, 'channel_id', /0/],
      [{ channel_id: '1' }, 'channel_id', /"1"/],
      [{ channel_id: 7 }, 'channel_id', /\b7\b/],
      [{ channel_ids: [] }, 'channel_ids', /non-empty/],
      [{ channel_ids: 1 }, 'channel_ids', /array/],
      [{ channel_ids: [1, 'x', 2.5] }, 'channel_ids', /"x", 2\.5/],
      [{ channel_ids: [1, 5, 9] }, 'channel_ids', /5, 9/],
    ];
    for (const [fields, key, text] of cases) {
      const r = await mint(emu, { expires_at: FAR_FUTURE, ...(fields as object) });
      expect(r.status, JSON.stringify(fields)).toBe(422);
      expect(r.json.title).toBe(`The following fields are invalid: ${key}`);
      expect(r.json.errors[key]).toMatch(text);
    }
  });

  it('13: expires_at in the past or in milliseconds is accepted by default, 422 with strict.expiresAt', async () => {
    const nowSec = Math.floor(clock.now() / 1000);
    for (const expires of [nowSec - 60, nowSec * 1000]) {
      const r = await mint(emu, { channel_ids: [1], expires_at: expires });
      expect(r.status).toBe(200);
      expect((decodeJwt(r.json.data.token).payload as { eat: number }).eat).toBe(expires);
    }
    await withEmulator({ clock: clock.now, strict: { expiresAt: true } }, async (e) => {
      for (const expires of [nowSec - 60, nowSec, nowSec * 1000, FAR_FUTURE + 1]) {
        const r = await mint(e, { channel_ids: [1], expires_at: expires });
        expect(r.status, String(expires)).toBe(422);
        expect(r.json.title).toBe('The following fields are invalid: expires_at');
      }
      expect((await mint(e, { channel_ids: [1], expires_at: nowSec + 1 })).status).toBe(200);
      expect((await mint(e, { channel_ids: [1], expires_at: FAR_FUTURE })).status).toBe(200);
    });
  });

  it('14: unknown fields (name, dev_mode, allowed_cors_origins) are ignored', async () => {
    const r = await mint(emu, {
      channel_ids: [1],
      expires_at: FAR_FUTURE,
      name: 'x',
      dev_mode: true,
      allowed_cors_origins: ['https://a.example/'],
    });
    expect(r.status).toBe(200);
    expect((decodeJwt(r.json.data.token).payload as { cors: string[] }).cors).toEqual([]);
  });

  it('15: otherwise → 200 {"data":{"token":JWT},"meta":{}} as application/json', async () => {
    for (const body of [{ channel_ids: [1], expires_at: FAR_FUTURE }, { channel_id: 1, expires_at: 1885635176 }]) {
      const r = await mint(emu, body);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Object.keys(r.json)).toEqual(['data', 'meta']);
      expect(r.json.meta).toEqual({});
      expect(Object.keys(r.json.data)).toEqual(['token']);
      expect(r.json.data.token).toMatch(/^eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9\.[\w-]+\.[\w-]{86}$/);
      expectRateLimitHeaders(r);
    }
  });

  it('records every request (method, path, query, headers, body, at)', async () => {
    const before = emu.requests.length;
    await mint(emu, { channel_ids: [1], expires_at: 5 }, {}, `${IMPERSONATION_PATH}?a=1&a=2&b=x`);
    const rec = emu.requests[before];
    expect(rec).toMatchObject({
      method: 'POST',
      path: IMPERSONATION_PATH,
      query: { a: ['1', '2'], b: 'x' },
      body: '{"channel_ids":[1],"expires_at":5}',
      at: clock.now(),
    });
    expect(rec?.headers['x-auth-token']).toBe(DEV_ACCESS_TOKEN);
  });

  it('rejects a body over maxBodyBytes with 413', async () => {
    await withEmulator({ maxBodyBytes: 64 }, async (e) => {
      const r = await mint(e, { channel_ids: [1], expires_at: FAR_FUTURE, pad: 'x'.repeat(200) });
      expect(r.status).toBe(413);
      expect(r.json).toMatchObject({ status: 413, type: PROBLEM_TYPE_URL });
    });
  });
});
