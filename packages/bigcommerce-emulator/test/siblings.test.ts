import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_STOREFRONT_ONLY_TOKEN,
  decodeJwt,
  startEmulator,
  verifyToken,
  type Emulator,
} from '../src/index.js';
import { call, FAR_FUTURE, fakeClock, mint, PRIVATE_PATH, PROBLEM_TYPE_URL, STOREFRONT_PATH, withEmulator } from './helpers.js';

const S8_BODY = {
  status: 422,
  title: 'The following fields are invalid: allowed_cors_origins:has_invalid_suffix',
  type: PROBLEM_TYPE_URL,
  errors: {
    'allowed_cors_origins:has_invalid_suffix':
      'A supplied origin has a trailing slash or other special character following the end of the domain. Please remove any trailing characters in supplied origins.',
  },
};

describe('POST /storefront/api-token', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ tokens: [
      { token: 'imp-only', storeHash: 'dev-store', clientId: 'i'.repeat(31), scopes: ['store_storefront_api_customer_impersonation'] },
      { token: 'sf-only', storeHash: 'dev-store', clientId: 's'.repeat(31), scopes: ['store_storefront_api'] },
    ] });
  });
  afterAll(() => emu.close());
  const sf = (body: unknown, token = 'sf-only') => mint(emu, body, { 'x-auth-token': token }, STOREFRONT_PATH);

  it('needs store_storefront_api (403 otherwise) and issues token_type 1 with the cors list', async () => {
    const denied = await sf({ channel_id: 1, expires_at: FAR_FUTURE }, 'imp-only');
    expect(denied.status).toBe(403);
    const r = await sf({ channel_ids: [1], expires_at: FAR_FUTURE, allowed_cors_origins: ['https://shop.example', 'http://localhost:3000'] });
    expect(r.status).toBe(200);
    expect(verifyToken(r.json.data.token, emu.publicKey)).toBe(true);
    expect(decodeJwt(r.json.data.token).payload).toMatchObject({
      cid: [1],
      cors: ['https://shop.example', 'http://localhost:3000'],
      token_type: 1,
      sub: 's'.repeat(31),
    });
    const noCors = await sf({ channel_id: 1, expires_at: FAR_FUTURE });
    expect(decodeJwt(noCors.json.data.token).payload).toMatchObject({ cors: [], token_type: 1 });
  });

  it('rejects an origin with a trailing slash or path with the exact S8 body', async () => {
    for (const origin of ['https://shop.example/', 'https://shop.example/path', 'https://shop.example?x', 'https://shop.example#']) {
      const r = await sf({ channel_id: 1, expires_at: FAR_FUTURE, allowed_cors_origins: [origin] });
      expect(r.status, origin).toBe(422);
      expect(r.text).toBe(JSON.stringify(S8_BODY));
    }
  });

  it('rejects more than 2 origins with the S9 text', async () => {
    const r = await sf({ channel_id: 1, expires_at: FAR_FUTURE, allowed_cors_origins: ['https://a.example', 'https://b.example', 'https://c.example'] });
    expect(r.status).toBe(422);
    expect(r.json.errors.allowed_cors_origins).toBe('Allowed CORS origins list length should not be greater than 2');
  });

  it('rejects a non-array or non-origin value', async () => {
    for (const value of ['https://a.example', [42], ['shop.example'], ['ftp://a.example']]) {
      const r = await sf({ channel_id: 1, expires_at: FAR_FUTURE, allowed_cors_origins: value });
      expect(r.status, JSON.stringify(value)).toBe(422);
      expect(Object.keys(r.json.errors)).toEqual(['allowed_cors_origins']);
    }
  });

  it('runs the same channel and expires_at checks', async () => {
    expect((await sf({ channel_id: 1 })).json.title).toBe('The following fields are invalid: expires_at');
    expect((await sf({ expires_at: 1 })).json.title).toBe('The following fields are invalid: channel_id');
    expect((await sf({ channel_ids: [3], expires_at: 1 })).status).toBe(422);
  });
});

describe('POST /storefront/api-token-private', () => {
  it('needs store_storefront_api and a non-empty `scopes` of Unauthenticated|Customer|B2B', async () => {
    await withEmulator({}, async (e) => {
      const priv = (body: unknown, token?: string) => mint(e, body, token ? { 'x-auth-token': token } : {}, PRIVATE_PATH);
      for (const scopes of [undefined, [], ['Admin'], 'Customer', [1]]) {
        const r = await priv({ channel_id: 1, expires_at: FAR_FUTURE, scopes });
        expect(r.status, JSON.stringify(scopes)).toBe(422);
        expect(r.json.title).toBe('The following fields are invalid: scopes');
      }
      const ok = await priv({ channel_id: 1, expires_at: FAR_FUTURE, scopes: ['Customer', 'B2B'] });
      expect(ok.status).toBe(200);
      expect(decodeJwt(ok.json.data.token).payload).toMatchObject({ token_type: 3, cors: [] });
      expect((await priv({ channel_id: 1, expires_at: 1, scopes: ['Customer'] }, 'nope')).status).toBe(401);
      expect((await call(e, PRIVATE_PATH, { method: 'DELETE' })).status).toBe(405);
    });
  });
});

describe('DELETE /storefront/api-token (revocation)', () => {
  it('422 without Sf-Api-Token, for a non-JWT, a foreign JWT or another store’s token; 200 with an empty body otherwise', async () => {
    const clock = fakeClock();
    await withEmulator({ clock: clock.now }, async (e) => {
      const token = (await mint(e)).json.data.token as string;
      const revoke = (headers: Record<string, string>) =>
        call(e, STOREFRONT_PATH, { method: 'DELETE', headers: { 'x-auth-token': DEV_STOREFRONT_ONLY_TOKEN, ...headers } });
      const expected = { status: 422, title: 'Invalid JWT Token provided or missing JWT token header', type: PROBLEM_TYPE_URL, errors: {} };
      for (const headers of [{}, { 'sf-api-token': 'not-a-jwt' }, { 'sf-api-token': `${token.slice(0, -6)}AAAAAA` }] as Array<Record<string, string>>) {
        const r = await revoke(headers);
        expect(r.status).toBe(422);
        expect(r.json).toEqual(expected);
      }
      const otherStore = e.signJwt({ cid: [1], cors: [], eat: FAR_FUTURE, iat: 1, iss: 'BC', sid: 42, sub: 'x', sub_type: 2, token_type: 2 });
      expect((await revoke({ 'sf-api-token': otherStore })).status).toBe(422);
      expect(e.revoked.size).toBe(0);

      const ok = await revoke({ 'sf-api-token': token });
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('');
      expect(e.revoked.has(token.split('.')[2] as string)).toBe(true);
      // Idempotent.
      expect((await revoke({ 'sf-api-token': token })).status).toBe(200);
      expect(e.revoked.size).toBe(1);
    });
  });

  it('accepts either storefront scope, and runs auth checks first', async () => {
    await withEmulator({}, async (e) => {
      const token = (await mint(e)).json.data.token as string;
      expect((await call(e, STOREFRONT_PATH, { method: 'DELETE', headers: { 'sf-api-token': token } })).status).toBe(401);
      const withImpersonationScope = await call(e, STOREFRONT_PATH, { method: 'DELETE', headers: { 'x-auth-token': 'dev-token', 'sf-api-token': token } });
      expect(withImpersonationScope.status).toBe(200);
    });
    await withEmulator({ tokens: [{ token: 'none', storeHash: 'dev-store', clientId: 'n'.repeat(31), scopes: ['store_v2_products'] }] }, async (e) => {
      const r = await call(e, STOREFRONT_PATH, { method: 'DELETE', headers: { 'x-auth-token': 'none', 'sf-api-token': 'x.y.z' } });
      expect(r.status).toBe(403);
    });
  });
});
