/** The seed end to end against the BigCommerce emulator: a real token comes back; faults are typed. */
import {
  DEFAULT_STORES,
  DEV_ACCESS_TOKEN,
  DEV_STORE_HASH,
  decodeJwt,
  startEmulator,
  verifyToken,
  type Emulator,
} from '@naftiko-ts/bigcommerce-emulator';
import type { RestAdapter } from '@naftiko-ts/spec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, ConsumerError, type Consumer, type PreparedCall } from '../src/index.js';
import { hasSeed, loadFile, recordingSleep, seedFile } from './helpers.js';

const NS = 'storefront-token-customer-impersonation-token';

describe.skipIf(!hasSeed)('seed against the BigCommerce emulator', () => {
  let emu: Emulator;
  let consumer: Consumer;
  let prepared: PreparedCall;
  const sleeper = recordingSleep();
  const channel = DEFAULT_STORES.find((s) => s.hash === DEV_STORE_HASH)?.channels[0] ?? 1;
  beforeAll(async () => {
    emu = await startEmulator();
    const capability = loadFile(seedFile);
    consumer = createConsumer({
      capability,
      env: { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: DEV_ACCESS_TOKEN },
      baseUriOverrides: { [NS]: `${emu.url}/stores/{store_hash}/v3` },
      timeouts: { headers: 300, body: 300 },
      maxResponseBytes: 1024 * 1024,
      sleep: sleeper.sleep,
    });
    consumer.assertReady();
    const route = (capability.exposes.find((e) => e.type === 'rest') as RestAdapter).routes[0]!;
    prepared = consumer.prepare(route.call!, route.output);
  });
  afterAll(async () => {
    await consumer?.close();
    await emu?.close();
  });
  afterEach(() => {
    emu.clearFaults();
    emu.requests.length = 0;
  });

  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ConsumerError.isInstance(e)).toBe(true);
    return e as ConsumerError;
  };

  it('mints a real, verifiable customer impersonation token', async () => {
    const expiresAt = 2147483647;
    const r = await prepared.invoke({ body: { expires_at: expiresAt, channel_id: channel } });
    expect(r.status).toBe(200);
    const body = r.body as { data: { token: string }; meta: object };
    expect(verifyToken(body.data.token, emu.publicKey)).toBe(true);
    const jwt = decodeJwt(body.data.token) as unknown as { payload: { eat: number; token_type: number } };
    expect(jwt.payload.eat).toBe(expiresAt);
    expect(jwt.payload.token_type).toBe(2);
    expect(r.passthrough).toBe(true);
    const req = emu.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/stores/${DEV_STORE_HASH}/v3/storefront/api-token-customer-impersonation`);
    expect(req.headers['x-auth-token']).toBe(DEV_ACCESS_TOKEN);
    expect(req.body).toBe(JSON.stringify({ expires_at: expiresAt, channel_id: channel }));
  });

  it('a validation error comes back as UPSTREAM_STATUS 422 with the problem body', async () => {
    const e = await failure(prepared.invoke({ body: { channel_id: channel } }));
    expect(e.code).toBe('UPSTREAM_STATUS');
    expect(e.status).toBe(422);
    expect(e.body).toMatchObject({ status: 422 });
    expect(e.headers?.['x-rate-limit-requests-quota']).toBeDefined();
  });

  it('a wrong access token: UPSTREAM_STATUS 401, the token not in the error', async () => {
    const capability = loadFile(seedFile);
    const other = createConsumer({
      capability,
      env: { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: 'not-a-real-token' },
      baseUriOverrides: { [NS]: `${emu.url}/stores/{store_hash}/v3` },
    });
    const e = await failure(other.call(NS, 'createtokenwithcustomerimpersonation', { body: { expires_at: 1, channel_id: 1 } }));
    expect(e.status).toBe(401);
    expect(JSON.stringify(e) + e.message).not.toContain('not-a-real-token');
    await other.close();
  });

  it('503 on POST is not retried', async () => {
    emu.injectFault({ kind: 'status', status: 503 });
    sleeper.delays.length = 0;
    const e = await failure(prepared.invoke({ body: { expires_at: 1, channel_id: channel } }));
    expect(e.status).toBe(503);
    expect(sleeper.delays).toEqual([]); // no retry was scheduled
  });

  it('garbage body: UPSTREAM_BAD_BODY', async () => {
    emu.injectFault({ kind: 'garbage' });
    expect((await failure(prepared.invoke({ body: { expires_at: 1, channel_id: channel } }))).code).toBe(
      'UPSTREAM_BAD_BODY',
    );
  });

  it('reset: CONSUMER_CONNECT', async () => {
    emu.injectFault({ kind: 'reset' });
    expect((await failure(prepared.invoke({ body: { expires_at: 1, channel_id: channel } }))).code).toBe(
      'CONSUMER_CONNECT',
    );
  });

  it('oversize: UPSTREAM_TOO_LARGE', async () => {
    emu.injectFault({ kind: 'oversize', bytes: 2 * 1024 * 1024 });
    expect((await failure(prepared.invoke({ body: { expires_at: 1, channel_id: channel } }))).code).toBe(
      'UPSTREAM_TOO_LARGE',
    );
  });

  it('hang: CONSUMER_TIMEOUT', async () => {
    emu.injectFault({ kind: 'hang' });
    const e = await failure(prepared.invoke({ body: { expires_at: 1, channel_id: channel } }));
    expect(e.code).toBe('CONSUMER_TIMEOUT');
  });

  it('rate limited: 429 with X-Retry-After and the rate-limit headers, never retried for POST', async () => {
    const limited = await startEmulator({ rateLimit: { quota: 1, windowMs: 60_000 } });
    const capability = loadFile(seedFile);
    const c = createConsumer({
      capability,
      env: { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: DEV_ACCESS_TOKEN },
      baseUriOverrides: { [NS]: `${limited.url}/stores/{store_hash}/v3` },
    });
    try {
      await c.call(NS, 'createtokenwithcustomerimpersonation', { body: { expires_at: 1, channel_id: channel } });
      const e = await failure(
        c.call(NS, 'createtokenwithcustomerimpersonation', { body: { expires_at: 1, channel_id: channel } }),
      );
      expect(e.status).toBe(429);
      expect(e.headers?.['x-rate-limit-requests-left']).toBe('0');
      expect(e.headers?.['x-retry-after']).toBeDefined();
      expect(limited.requests).toHaveLength(2);
    } finally {
      await c.close();
      await limited.close();
    }
  });
});
