import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ConsumerError, type Consumer, type ConsumerErrorCode, type PreparedCall } from '@naftiko-ts/consumer';
import { createRestApp } from '../src/index.js';
import { consumerFor, logSink, parseFixture, startStub, until, UPSTREAM_SECRET, type Stub } from './helpers.js';

const type = (slug: string): string => `urn:naftiko-ts:problem:${slug}`;

/** A consumer (dependency injection, not a module mock) whose every call fails with `error`. */
function failingConsumer(real: Consumer, error: () => unknown): Consumer {
  return {
    problems: real.problems,
    assertReady: () => real.assertReady(),
    prepare(call): PreparedCall {
      return {
        target: call.target,
        method: call.consumed.method,
        invoke: () => Promise.reject(error()),
      };
    },
    call: () => Promise.reject(error()),
    secretValues: () => real.secretValues(),
    close: () => real.close(),
  };
}

describe('consumer failures → problem+json', () => {
  const capability = parseFixture('rules.yaml');
  const real = consumerFor(capability, 'http://127.0.0.1:9');
  afterAll(() => real.close());

  const cases: Array<[ConsumerErrorCode | 'plain', number, string]> = [
    ['CONSUMER_TIMEOUT', 504, 'upstream-timeout'],
    ['CONSUMER_CONNECT', 502, 'upstream-unreachable'],
    ['UPSTREAM_BAD_BODY', 502, 'upstream-bad-body'],
    ['UNSUPPORTED_FORMAT', 502, 'upstream-bad-body'],
    ['UPSTREAM_TOO_LARGE', 502, 'upstream-bad-body'],
    ['MISSING_INPUT', 400, 'missing-input'],
    ['INVALID_INPUT', 400, 'invalid-input'],
    ['CONSUMER_CONFIG', 500, 'internal-error'],
    ['plain', 500, 'internal-error'],
  ];
  for (const [code, status, slug] of cases) {
    it(`${code} → ${status} ${slug}`, async () => {
      const consumer = failingConsumer(real, () =>
        code === 'plain' ? new Error(`boom ${UPSTREAM_SECRET}`) : new ConsumerError(code, `failed: variable \`itemId\` (${code})`, { target: 'up.get-item', names: ['itemId'] }),
      );
      const app = await createRestApp({ capability, consumer });
      const res = await app.inject({ method: 'GET', url: '/v1/items/1' });
      await app.close();
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const body = res.json();
      expect(body).toMatchObject({ type: type(slug), status, instance: '/v1/items/1' });
      expect(typeof body.detail).toBe('string');
      expect(res.body).not.toContain(UPSTREAM_SECRET);
      if (code === 'MISSING_INPUT') expect(body.detail).toContain('itemId');
    });
  }

  it('UPSTREAM_STATUS carried by the error is mapped like a status (422 passthrough, raw body)', async () => {
    const raw = Buffer.from('{"status":422,"title":"bad"}');
    const consumer = failingConsumer(real, () => new ConsumerError('UPSTREAM_STATUS', 'status 422', { status: 422, headers: { 'content-type': 'application/problem+json' }, raw, body: { status: 422 } }));
    const app = await createRestApp({ capability, consumer });
    const res = await app.inject({ method: 'GET', url: '/v1/items/1' });
    await app.close();
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toBe(raw.toString());
  });
});

describe('real network failures', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub(() => {
      /* never answers */
    });
  });
  afterAll(() => stub.close());

  it('an upstream that does not answer in time → 504 upstream-timeout', async () => {
    const capability = parseFixture('rules.yaml');
    const consumer = consumerFor(capability, stub.url, { timeouts: { headers: 200, body: 200 } });
    const app = await createRestApp({ capability, consumer });
    const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: { a: 1 } });
    await app.close();
    await consumer.close();
    expect(res.statusCode).toBe(504);
    expect(res.json().type).toBe(type('upstream-timeout'));
  });

  it('connection refused → 502 upstream-unreachable', async () => {
    // A port that was just free: bind, read the port, close.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const capability = parseFixture('rules.yaml');
    const consumer = consumerFor(capability, `http://127.0.0.1:${port}`);
    const app = await createRestApp({ capability, consumer });
    const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: { a: 1 } });
    await app.close();
    await consumer.close();
    expect(res.statusCode).toBe(502);
    expect(res.json().type).toBe(type('upstream-unreachable'));
  });

  it('a client that disconnects aborts the upstream call', async () => {
    const capability = parseFixture('rules.yaml');
    const consumer = consumerFor(capability, stub.url, { timeouts: { headers: 30_000, body: 30_000 } });
    const app = await createRestApp({ capability, consumer });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    stub.requests.length = 0;
    const closedBefore = stub.closedRequests;
    const sawRequest = until(() => stub.requests.length > 0);
    const controller = new AbortController();
    const pending = request(`http://127.0.0.1:${port}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await sawRequest;
    controller.abort();
    await pending;
    // The upstream sees its request closed although it never answered.
    await until(() => stub.closedRequests > closedBefore);
    expect(stub.closedRequests).toBeGreaterThan(closedBefore);
    await app.close();
    await consumer.close();
  });
});

describe('X-Request-Id sent upstream', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => stub.close());

  const post = async (logger: Parameters<typeof createRestApp>[0]['logger'], headers: Record<string, string> = {}) => {
    const capability = parseFixture('rules.yaml');
    const consumer = consumerFor(capability, stub.url);
    const app = await createRestApp({ capability, consumer, logger });
    stub.requests.length = 0;
    const res = await app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'content-type': 'application/json', ...headers }, payload: '{"a":1}' });
    await app.close();
    await consumer.close();
    expect(res.statusCode).toBe(200);
    expect(stub.requests).toHaveLength(1);
    return stub.requests[0]!.headers['x-request-id'];
  };

  it("the client's own id is forwarded, logging or not", async () => {
    expect(await post(false, { 'x-request-id': 'client-42' })).toBe('client-42');
    expect(await post({ level: 'silent' }, { 'x-request-id': 'client-43' })).toBe('client-43');
  });

  it('without a client id: none when logging is off, the logged request id when it is on', async () => {
    expect(await post(false)).toBeUndefined();
    expect(await post({ level: 'silent' })).toBeUndefined();
    const sink = logSink();
    const id = await post({ level: 'info', stream: sink.stream } as never);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sink.text()).toContain(`"reqId":"${id}"`);
  });

  it('a client id with spaces or control characters is not forwarded', async () => {
    expect(await post(false, { 'x-request-id': 'a b' })).toBeUndefined();
  });
});
