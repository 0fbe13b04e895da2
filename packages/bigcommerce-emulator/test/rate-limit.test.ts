import { describe, expect, it } from 'vitest';
import { DEV_ACCESS_TOKEN, type AccessTokenConfig, type StoreConfig } from '../src/index.js';
import { call, fakeClock, mint, withEmulator } from './helpers.js';

const left = (r: { headers: Record<string, unknown> }) => r.headers['x-rate-limit-requests-left'];
const reset = (r: { headers: Record<string, unknown> }) => r.headers['x-rate-limit-time-reset-ms'];

describe('rate limiting (fake clock, no sleeping)', () => {
  it('defaults to 150 requests per 30000 ms', async () => {
    await withEmulator({}, async (e) => {
      const r = await mint(e);
      expect(r.headers['x-rate-limit-requests-quota']).toBe('150');
      expect(r.headers['x-rate-limit-time-window-ms']).toBe('30000');
      expect(left(r)).toBe('149');
    });
  });

  it('counts down within a window, answers 429 when used up, and refills when the window ends', async () => {
    const clock = fakeClock();
    await withEmulator({ clock: clock.now, rateLimit: { quota: 3, windowMs: 30_000 } }, async (e) => {
      const first = await mint(e);
      expect([first.status, left(first), reset(first)]).toEqual([200, '2', '30000']);
      clock.advance(1_000);
      const second = await mint(e);
      expect([second.status, left(second), reset(second)]).toEqual([200, '1', '29000']);
      clock.advance(1_000);
      const third = await mint(e);
      expect([third.status, left(third), reset(third)]).toEqual([200, '0', '28000']);
      clock.advance(2_001);
      const limited = await mint(e);
      expect(limited.status).toBe(429);
      expect([left(limited), reset(limited), limited.headers['x-retry-after']]).toEqual(['0', '25999', '26']);
      clock.advance(25_998);
      const still = await mint(e);
      expect([still.status, reset(still), still.headers['x-retry-after']]).toEqual([429, '1', '1']);
      clock.advance(1);
      const refilled = await mint(e);
      expect([refilled.status, left(refilled), reset(refilled)]).toEqual([200, '2', '30000']);
      expect(refilled.headers['x-retry-after']).toBeUndefined();
    });
  });

  it('counts every request to the store (404s and errors included) and keeps stores apart', async () => {
    const clock = fakeClock();
    const stores: StoreConfig[] = [
      { hash: 's1', storeId: 1000000011, channels: [1] },
      { hash: 's2', storeId: 1000000012, channels: [1] },
    ];
    const scopes = ['store_storefront_api_customer_impersonation'];
    const tokens: AccessTokenConfig[] = [
      { token: 't1', storeHash: 's1', clientId: '1'.repeat(31), scopes },
      { token: 't2', storeHash: 's2', clientId: '2'.repeat(31), scopes },
    ];
    await withEmulator({ stores, tokens, clock: clock.now, rateLimit: { quota: 2 } }, async (e) => {
      expect((await call(e, '/stores/s1/v3/catalog/products', { method: 'GET' })).status).toBe(404);
      expect((await mint(e, {}, { 'x-auth-token': 't1' }, '/stores/s1/v3/storefront/api-token-customer-impersonation')).status).toBe(422);
      const limited = await mint(e, { channel_id: 1, expires_at: 1 }, { 'x-auth-token': 't1' }, '/stores/s1/v3/storefront/api-token-customer-impersonation');
      expect(limited.status).toBe(429);
      const otherStore = await mint(e, { channel_id: 1, expires_at: 1 }, { 'x-auth-token': 't2' }, '/stores/s2/v3/storefront/api-token-customer-impersonation');
      expect([otherStore.status, left(otherStore)]).toEqual([200, '1']);
    });
  });

  it('resetRateLimits() refills every store', async () => {
    const clock = fakeClock();
    await withEmulator({ clock: clock.now, rateLimit: { quota: 1 } }, async (e) => {
      expect((await mint(e)).status).toBe(200);
      expect((await mint(e)).status).toBe(429);
      e.resetRateLimits();
      const r = await mint(e, undefined, { 'x-auth-token': DEV_ACCESS_TOKEN });
      expect([r.status, left(r)]).toEqual([200, '0']);
    });
  });
});
