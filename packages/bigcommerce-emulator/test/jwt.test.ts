import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_CLIENT_ID,
  DEV_STORE_ID,
  EmulatorError,
  decodeJwt,
  startEmulator,
  verifyToken,
  type Emulator,
} from '../src/index.js';
import { FAR_FUTURE, fakeClock, mint, withEmulator } from './helpers.js';

describe('issued JWT', () => {
  let emu: Emulator;
  const clock = fakeClock(Date.UTC(2025, 0, 9, 9, 40, 54, 700));
  beforeAll(async () => {
    emu = await startEmulator({ clock: clock.now });
  });
  afterAll(() => emu.close());

  it('has the ES256 header and the documented claims in BigCommerce order', async () => {
    const r = await mint(emu, { channel_ids: [1], expires_at: 1885635176 });
    const [h, p, s] = (r.json.data.token as string).split('.') as [string, string, string];
    expect(Buffer.from(h, 'base64url').toString()).toBe('{"typ":"JWT","alg":"ES256"}');
    expect(Buffer.from(s, 'base64url')).toHaveLength(64);
    const payloadText = Buffer.from(p, 'base64url').toString();
    expect(payloadText).toBe(
      `{"cid":[1],"cors":[],"eat":1885635176,"iat":${Math.floor(clock.now() / 1000)},"iss":"BC","sid":${DEV_STORE_ID},"sub":"${DEV_CLIENT_ID}","sub_type":2,"token_type":2}`,
    );
    expect(DEV_CLIENT_ID).toMatch(/^[a-z0-9]{31}$/);
    expect(String(DEV_STORE_ID)).toMatch(/^\d{10}$/);
  });

  it('decodes with decodeJwt and verifies with publicKey, the JWK and a PEM', async () => {
    const token = (await mint(emu)).json.data.token as string;
    const decoded = decodeJwt(token);
    expect(decoded.header).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(decoded.payload).toMatchObject({ iss: 'BC', token_type: 2, cid: [1], eat: FAR_FUTURE });
    expect(verifyToken(token, emu.publicKey)).toBe(true);
    expect(verifyToken(token, { key: emu.publicJwk, format: 'jwk' })).toBe(true);
    expect(verifyToken(token, emu.publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(true);
    expect(emu.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(emu.publicJwk).not.toHaveProperty('d');
  });

  it('does not verify with another key, a tampered payload, alg none or a non-JWT', async () => {
    const token = (await mint(emu)).json.data.token as string;
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyToken(token, other)).toBe(false);
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = Buffer.from(Buffer.from(p, 'base64url').toString().replace('"sid":', '"sid":1')).toString('base64url');
    expect(verifyToken(`${h}.${forged}.${s}`, emu.publicKey)).toBe(false);
    const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    expect(verifyToken(`${none}.${p}.${s}`, emu.publicKey)).toBe(false);
    expect(verifyToken(`${none}.${p}.`, emu.publicKey)).toBe(false);
    expect(verifyToken('abc', emu.publicKey)).toBe(false);
    expect(verifyToken(`${h}.${p}.${s.slice(0, -4)}`, emu.publicKey)).toBe(false);
  });

  it('each emulator has its own key', async () => {
    await withEmulator({}, async (second) => {
      const token = (await mint(emu)).json.data.token as string;
      expect(verifyToken(token, second.publicKey)).toBe(false);
      expect(second.publicJwk.x).not.toBe(emu.publicJwk.x);
    });
  });

  it('cid lists every requested channel; legacyCid issues a bare integer', async () => {
    const stores = [{ hash: 'multi', storeId: 1234567890, channels: [1, 12, 40] }];
    const tokens = [{ token: 't', storeHash: 'multi', clientId: 'c'.repeat(31), scopes: ['store_storefront_api_customer_impersonation'] }];
    const path = '/stores/multi/v3/storefront/api-token-customer-impersonation';
    await withEmulator({ stores, tokens }, async (e) => {
      const r = await mint(e, { channel_ids: [12, 1], expires_at: 10 }, { 'x-auth-token': 't' }, path);
      expect(decodeJwt(r.json.data.token).payload).toMatchObject({ cid: [12, 1], sid: 1234567890, sub: 'c'.repeat(31) });
    });
    await withEmulator({ stores, tokens, legacyCid: true }, async (e) => {
      const r = await mint(e, { channel_id: 40, expires_at: 10 }, { 'x-auth-token': 't' }, path);
      const payload = Buffer.from((r.json.data.token as string).split('.')[1] as string, 'base64url').toString();
      expect(payload.startsWith('{"cid":40,"cors":[]')).toBe(true);
    });
  });

  it('iat follows the injected clock (seconds, floored)', async () => {
    const c = fakeClock(1_736_415_654_999);
    await withEmulator({ clock: c.now }, async (e) => {
      expect(decodeJwt((await mint(e)).json.data.token).payload).toMatchObject({ iat: 1736415654 });
      c.advance(60_000);
      expect(decodeJwt((await mint(e)).json.data.token).payload).toMatchObject({ iat: 1736415714 });
    });
  });

  it('decodeJwt throws EmulatorError EMULATOR_JWT without echoing the input', () => {
    for (const bad of ['secret-value', 'a.b', 'e30.!!!.x', `${Buffer.from('nope').toString('base64url')}.e30.sig`]) {
      let caught: unknown;
      try {
        decodeJwt(bad);
      } catch (error) {
        caught = error;
      }
      expect(EmulatorError.isInstance(caught), bad).toBe(true);
      expect((caught as EmulatorError).code).toBe('EMULATOR_JWT');
      expect((caught as Error).message).not.toContain(bad);
    }
  });
});
