import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { createConsumer, type Consumer } from '@naftiko-ts/consumer';
import { decodeJwt, DEV_ACCESS_TOKEN, DEV_STORE_HASH, startEmulator, type Emulator } from '@naftiko-ts/bigcommerce-emulator';
import { createRestApp } from '../src/index.js';
import { hasSeed, logSink, parse, seedFile } from './helpers.js';


const NS = 'storefront-token-customer-impersonation-token';
const ROUTE = '/v1/storefront/api-token-customer-impersonation';
const WRONG_KEY = 'wrong-key-Secret-77';

describe.skipIf(!hasSeed)('seed capability against the BigCommerce emulator (real sockets)', () => {
  let emulator: Emulator;
  let base: string;
  const servers: Array<{ app: FastifyInstance; consumer: Consumer }> = [];

  async function serve(apiKey: string, timeouts?: { headers?: number; body?: number }): Promise<{ url: string; logs: ReturnType<typeof logSink> }> {
    const capability = parse(fs.readFileSync(seedFile, 'utf8'), 'seed.yaml');
    const consumer = createConsumer({
      capability,
      env: {},
      vars: { store_hash: DEV_STORE_HASH },
      secrets: { BIGCOMMERCE_API_KEY: apiKey },
      baseUriOverrides: { [NS]: `${emulator.url}/stores/{store_hash}/v3` },
      retry: { max: 0 },
      ...(timeouts === undefined ? {} : { timeouts }),
    });
    const logs = logSink();
    const app = await createRestApp({ capability, consumer, logger: { level: 'debug', stream: logs.stream } as never });
    await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ app, consumer });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, logs };
  }

  const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    request(`${url}${ROUTE}`, { method: 'POST', headers, body });

  beforeAll(async () => {
    emulator = await startEmulator();
    base = (await serve(DEV_ACCESS_TOKEN)).url;
  });
  afterAll(async () => {
    for (const s of servers) {
      await s.app.close();
      await s.consumer.close();
    }
    await emulator.close();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.requests.length = 0;
  });

  it('mints a token that decodes to the requested cid and eat', async () => {
    const res = await post(base, JSON.stringify({ expires_at: 2147483647, channel_ids: [1] }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = (await res.body.json()) as { data: { token: string }; meta: object };
    const { payload } = decodeJwt(body.data.token);
    expect(payload).toMatchObject({ cid: [1], eat: 2147483647, token_type: 2, iss: 'BC' });
    // The upstream saw the API key and the JSON body.
    expect(emulator.requests[0]!.headers['x-auth-token']).toBe(DEV_ACCESS_TOKEN);
    expect(emulator.requests[0]!.path).toBe(`/stores/${DEV_STORE_HASH}/v3/storefront/api-token-customer-impersonation`);
  });

  it('a missing expires_at returns the emulator 422 body unchanged', async () => {
    const payload = JSON.stringify({ channel_id: 1 });
    const direct = await request(`${emulator.url}/stores/${DEV_STORE_HASH}/v3/storefront/api-token-customer-impersonation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': DEV_ACCESS_TOKEN },
      body: payload,
    });
    const directBody = await direct.body.text();
    expect(direct.statusCode).toBe(422);
    const res = await post(base, payload);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe(direct.headers['content-type']);
    expect(await res.body.text()).toBe(directBody);
  });

  it('a wrong API key → 502 whose body names the secret to check but does not contain the key', async () => {
    const { url, logs } = await serve(WRONG_KEY);
    const res = await post(url, JSON.stringify({ expires_at: 2147483647, channel_id: 1 }));
    const text = await res.body.text();
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(text)).toMatchObject({ type: 'urn:naftiko-ts:problem:upstream-unauthorized', status: 502 });
    expect(text).toContain('BIGCOMMERCE_API_KEY');
    expect(text).not.toContain(WRONG_KEY);
    expect(logs.text()).not.toContain(WRONG_KEY);
  });

  it('an emulator 500 → 502 upstream-error', async () => {
    emulator.injectFault({ kind: 'status', status: 500 });
    const res = await post(base, JSON.stringify({ expires_at: 2147483647, channel_id: 1 }));
    expect(res.statusCode).toBe(502);
    expect(((await res.body.json()) as { type: string }).type).toBe('urn:naftiko-ts:problem:upstream-error');
  });

  it('an emulator 503 (maintenance) → 502', async () => {
    emulator.injectFault({ kind: 'status', status: 503 });
    const res = await post(base, JSON.stringify({ expires_at: 2147483647, channel_id: 1 }));
    expect(res.statusCode).toBe(502);
    await res.body.dump();
  });

  it('an HTML page where JSON was promised → 502 upstream-bad-body', async () => {
    emulator.injectFault({ kind: 'garbage' });
    const res = await post(base, JSON.stringify({ expires_at: 2147483647, channel_id: 1 }));
    expect(res.statusCode).toBe(502);
    expect(((await res.body.json()) as { type: string }).type).toBe('urn:naftiko-ts:problem:upstream-bad-body');
  });

  it('a connection reset mid-body → 502', async () => {
    emulator.injectFault({ kind: 'reset' });
    const res = await post(base, JSON.stringify({ expires_at: 2147483647, channel_id: 1 }));
    expect(res.statusCode).toBe(502);
    await res.body.dump();
  });

  it('an emulator that hangs → 504 upstream-timeout (small consumer timeouts)', async () => {
    const { url } = await serve(DEV_ACCESS_TOKEN, { headers: 250, body: 250 });
    emulator.injectFault({ kind: 'hang' });
    const res = await post(url, JSON.stringify({ expires_at: 2147483647, channel_id: 1 }));
    expect(res.statusCode).toBe(504);
    expect(((await res.body.json()) as { type: string }).type).toBe('urn:naftiko-ts:problem:upstream-timeout');
  });

  it('a rate-limited emulator → 429 with its rate-limit headers', async () => {
    const limited = await startEmulator({ rateLimit: { quota: 1, windowMs: 60_000 } });
    const capability = parse(fs.readFileSync(seedFile, 'utf8'), 'seed.yaml');
    const consumer = createConsumer({
      capability,
      env: {},
      vars: { store_hash: DEV_STORE_HASH },
      secrets: { BIGCOMMERCE_API_KEY: DEV_ACCESS_TOKEN },
      baseUriOverrides: { [NS]: `${limited.url}/stores/{store_hash}/v3` },
      retry: { max: 0 },
    });
    const app = await createRestApp({ capability, consumer });
    const body = { expires_at: 2147483647, channel_id: 1 };
    expect((await app.inject({ method: 'POST', url: ROUTE, payload: body })).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: ROUTE, payload: body });
    await app.close();
    await consumer.close();
    await limited.close();
    expect(res.statusCode).toBe(429);
    expect(res.headers['x-rate-limit-requests-left']).toBe('0');
    expect(res.headers['x-retry-after']).toBeDefined();
    expect(res.headers['x-rate-limit-time-reset-ms']).toBeDefined();
  });

  it('malformed JSON is answered 400 without reaching the emulator', async () => {
    const res = await post(base, '{"expires_at":');
    expect(res.statusCode).toBe(400);
    await res.body.dump();
    expect(emulator.requests).toHaveLength(0);
  });
});
