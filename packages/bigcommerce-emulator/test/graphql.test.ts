import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_STORE_ID, GRAPHQL_MESSAGES, startEmulator, type Emulator, type StoreConfig } from '../src/index.js';
import { call, expectRateLimitHeaders, FAR_FUTURE, fakeClock, mint, STOREFRONT_PATH } from './helpers.js';

const QUERY = 'query CustomerInformation {\n  customer {\n    firstName\n    lastName\n    email\n  }\n}';
const STORES: StoreConfig[] = [
  {
    hash: 'dev-store',
    storeId: DEV_STORE_ID,
    channels: [1, 12],
    customers: [{ id: 123, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' }],
  },
  { hash: 'other-store', storeId: 1000000002, channels: [1] },
];

describe('GraphQL stand-in', () => {
  let emu: Emulator;
  const clock = fakeClock();
  const nowSec = () => Math.floor(clock.now() / 1000);
  let token: string;
  beforeAll(async () => {
    emu = await startEmulator({ stores: STORES, tokens: [
      { token: 'dev-token', storeHash: 'dev-store', clientId: 'd'.repeat(31), scopes: ['store_storefront_api_customer_impersonation', 'store_storefront_api'] },
    ], clock: clock.now });
    token = (await mint(emu, { channel_ids: [1], expires_at: nowSec() + 3600 })).json.data.token;
  });
  afterAll(() => emu.close());

  const gql = (headers: Record<string, string>, path = '/graphql', body: unknown = { query: QUERY }) =>
    call(emu, path, { body, headers: { 'content-type': 'application/json', 'x-bc-store-hash': 'dev-store', ...headers } });
  const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
  const claims = (over: Record<string, unknown> = {}) => ({
    cid: [1], cors: [], eat: nowSec() + 3600, iat: nowSec(), iss: 'BC', sid: DEV_STORE_ID, sub: 'd'.repeat(31), sub_type: 2, token_type: 2, ...over,
  });

  it('answers customer { firstName lastName email } for X-Bc-Customer-Id, with GraphQL headers', async () => {
    const r = await gql({ ...bearer(token), 'x-bc-customer-id': '123' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ data: { customer: { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' } } });
    expect(r.headers['x-bc-graphql-operation-type']).toBe('query');
    expect(r.headers['x-bc-graphql-operation-name']).toBe('CustomerInformation');
    expect(Number(r.headers['x-bc-graphql-complexity'])).toBeGreaterThan(0);
    expectRateLimitHeaders(r);
  });

  it('customer is null without X-Bc-Customer-Id or for an unknown customer; aliases and entityId work', async () => {
    expect((await gql(bearer(token))).json).toEqual({ data: { customer: null } });
    expect((await gql({ ...bearer(token), 'x-bc-customer-id': '999' })).json).toEqual({ data: { customer: null } });
    const aliased = await gql({ ...bearer(token), 'x-bc-customer-id': '123' }, '/graphql', {
      query: '{ customer { id: entityId mail: email # comment\n phone } }',
    });
    expect(aliased.json).toEqual({ data: { customer: { id: 123, mail: 'jane@example.com', phone: null } } });
    expect((await gql(bearer(token), '/graphql', { query: '{ site { settings { storeName } } }' })).json).toEqual({ data: {} });
  });

  it('selects the store by path, and the channel by path or X-Bc-Channel-Id', async () => {
    const byPath = await call(emu, '/stores/dev-store/graphql', { body: { query: QUERY }, headers: { ...bearer(token), 'x-bc-customer-id': '123' } });
    expect(byPath.json.data.customer.firstName).toBe('Jane');
    const ch12 = (await mint(emu, { channel_ids: [12], expires_at: nowSec() + 60 })).json.data.token as string;
    expect((await call(emu, '/stores/dev-store-12/graphql', { body: { query: QUERY }, headers: bearer(ch12) })).status).toBe(200);
    expect((await gql({ ...bearer(ch12), 'x-bc-channel-id': '12' })).status).toBe(200);
    expect((await call(emu, '/graphql', { body: { query: QUERY }, headers: bearer(token) })).status).toBe(404);
    expect((await gql(bearer(token), '/stores/nope/graphql')).status).toBe(404);
  });

  describe('401 checks in the order of the §4 table, exact messages', () => {
    const expect401 = async (headers: Record<string, string>, message: string, path?: string) => {
      const r = await gql(headers, path);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ errors: [{ message }] });
    };

    it('no token → "GraphQL credentials were missing. No token was sent."', async () => {
      await expect401({}, 'GraphQL credentials were missing. No token was sent.');
      await expect401({ authorization: 'Bearer ' }, GRAPHQL_MESSAGES.missing);
      await expect401({ authorization: `Basic ${token}` }, GRAPHQL_MESSAGES.missing);
    });

    it('not a JWT → "GraphQL invalid credentials. String is not a JWT"', async () => {
      await expect401(bearer('abc'), 'GraphQL invalid credentials. String is not a JWT');
      await expect401(bearer('a.b.c'), 'GraphQL invalid credentials. String is not a JWT');
    });

    it('bad signature → "GraphQL invalid credentials. JWT signature is invalid"', async () => {
      const [h, p] = token.split('.') as [string, string];
      await expect401(bearer(`${h}.${p}.${'A'.repeat(86)}`), 'GraphQL invalid credentials. JWT signature is invalid');
      const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
      await expect401(bearer(`${none}.${p}.x`), GRAPHQL_MESSAGES.badSignature);
    });

    it('unreadable payload → "JWT has no valid Json" / "JWT has Json of an unknown format"', async () => {
      await expect401(bearer(emu.signJwt('{not json')), 'GraphQL invalid credentials. JWT has no valid Json');
      await expect401(bearer(emu.signJwt({ hello: 'world' })), 'GraphQL invalid credentials. JWT has Json of an unknown format');
      await expect401(bearer(emu.signJwt(claims({ cid: ['1'] }))), GRAPHQL_MESSAGES.unknownFormat);
    });

    it('past eat → "GraphQL invalid credentials. JWT is expired" (driven by the clock)', async () => {
      const short = (await mint(emu, { channel_ids: [1], expires_at: nowSec() + 10 })).json.data.token as string;
      expect((await gql(bearer(short))).status).toBe(200);
      clock.advance(10_000);
      await expect401(bearer(short), 'GraphQL invalid credentials. JWT is expired');
      // Expiry is checked before channel and store.
      await expect401(bearer(emu.signJwt(claims({ eat: nowSec() - 1, cid: [99], sid: 1 }))), GRAPHQL_MESSAGES.expired);
    });

    it('cid not matching the URL channel → channel message', async () => {
      await expect401(bearer(token), "GraphQL invalid credentials. JWT channel id doesn't match channel id of the URL", '/stores/dev-store-12/graphql');
      await expect401({ ...bearer(token), 'x-bc-channel-id': '12' }, GRAPHQL_MESSAGES.channelMismatch);
      // A legacy bare-int cid is understood; channel is checked before store.
      await expect401(bearer(emu.signJwt(claims({ cid: 12, sid: 1 }))), GRAPHQL_MESSAGES.channelMismatch);
      expect((await gql(bearer(emu.signJwt(claims({ cid: 1 }))))).status).toBe(200);
    });

    it('sid not matching the store → store message', async () => {
      await expect401(bearer(token), "GraphQL invalid credentials. JWT store id doesn't match store id of the URL", '/stores/other-store/graphql');
    });

    it('revoked → "Unknown JWT token"', async () => {
      const victim = (await mint(emu, { channel_ids: [1], expires_at: nowSec() + 3600 })).json.data.token as string;
      expect((await gql(bearer(victim))).status).toBe(200);
      const del = await call(emu, STOREFRONT_PATH, { method: 'DELETE', headers: { 'x-auth-token': 'dev-token', 'sf-api-token': victim } });
      expect(del.status).toBe(200);
      await expect401(bearer(victim), 'Unknown JWT token');
      expect((await gql(bearer(token))).status).toBe(200);
    });
  });

  it('a customer impersonation token from a browser (Origin or SHOP_TOKEN cookie) → 403 Request not allowed', async () => {
    const message =
      'Request not allowed: Detected that request originated from a browser script and is using a customer impersonation jwt token. Customer impersonation tokens are not allowed with frontend requests.';
    for (const headers of [{ origin: 'https://shop.example' }, { cookie: 'a=b; SHOP_TOKEN=xyz' }] as Array<Record<string, string>>) {
      const r = await gql({ ...bearer(token), ...headers });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ errors: [{ message }] });
    }
    const storefront = (await mint(emu, { channel_ids: [1], expires_at: FAR_FUTURE, allowed_cors_origins: ['https://shop.example'] }, {}, STOREFRONT_PATH)).json.data.token as string;
    const fromBrowser = await gql({ ...bearer(storefront), origin: 'https://shop.example', 'x-bc-customer-id': '123' });
    expect(fromBrowser.status).toBe(200);
    expect(fromBrowser.json).toEqual({ data: { customer: null } });
  });

  it('400 for a body without a query, 405 for GET, a message for mutations', async () => {
    expect((await gql(bearer(token), '/graphql', { nope: 1 })).status).toBe(400);
    expect((await gql(bearer(token), '/graphql', 'not json')).status).toBe(400);
    const get = await call(emu, '/graphql', { method: 'GET', headers: { 'x-bc-store-hash': 'dev-store' } });
    expect(get.status).toBe(405);
    const mutation = await gql(bearer(token), '/graphql', { query: 'mutation Login { login(email: "a", password: "b") { result } }' });
    expect(mutation.status).toBe(200);
    expect(mutation.headers['x-bc-graphql-operation-type']).toBe('mutation');
    expect(mutation.json.data).toBeNull();
  });
});
