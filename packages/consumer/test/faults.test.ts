import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConsumer, ConsumerError, type AbortHandle, type Consumer, type CreateConsumerOptions } from '../src/index.js';
import { load, recordingSleep, startStub, type Stub } from './helpers.js';

const capability = load(`naftiko: 1.0.0-alpha2
info:
  label: faults fixture
capability:
  consumes:
  - type: http
    namespace: api
    baseUri: http://127.0.0.1:1
    resources:
    - name: things
      path: /things
      operations:
      - name: get
        method: GET
        outputRawFormat: json
      - name: post
        method: POST
        outputRawFormat: json
      - name: put
        method: PUT
        outputRawFormat: json
  exposes:
  - type: rest
    namespace: faults-rest
    port: 8080
    resources: []
`);
const mapped = {
  kind: 'mapped' as const,
  root: { type: 'object' as const, properties: { a: { type: 'string' as const, mapping: '$.a', pointer: '' } }, pointer: '' },
};

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);

let stub: Stub;
const open: Consumer[] = [];
beforeAll(async () => {
  stub = await startStub();
});
afterAll(async () => {
  await stub.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});
beforeEach(() => {
  stub.requests.length = 0;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function make(extra: Partial<CreateConsumerOptions> = {}, base?: string) {
  const sleeper = recordingSleep();
  const c = createConsumer({
    capability,
    env: {},
    baseUriOverrides: { api: base ?? stub.url },
    sleep: sleeper.sleep,
    ...extra,
  });
  open.push(c);
  return { c, delays: sleeper.delays };
}

async function failure(p: Promise<unknown>): Promise<ConsumerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(ConsumerError.isInstance(e)).toBe(true);
  return e as ConsumerError;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('connection failures', () => {
  it('connection refused: CONSUMER_CONNECT; GET retried twice with backoff, POST never retried', async () => {
    const port = await freePort();
    const { c, delays } = make({}, `http://127.0.0.1:${port}`);
    const e = await failure(c.call('api', 'get', {}));
    expect(e.code).toBe('CONSUMER_CONNECT');
    expect(e.phase).toBe('connect');
    expect(delays).toEqual([100, 200]);
    delays.length = 0;
    const p = await failure(c.call('api', 'post', {}));
    expect(p.code).toBe('CONSUMER_CONNECT');
    expect(delays).toEqual([]);
  });

  it('reset mid-body: CONSUMER_CONNECT in the body phase, not retried', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
      setImmediate(() => res.socket?.destroy());
    };
    const { c, delays } = make();
    const e = await failure(c.call('api', 'get', {}));
    expect(e.code).toBe('CONSUMER_CONNECT');
    expect(e.phase).toBe('body');
    expect(delays).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  it('slow headers: CONSUMER_TIMEOUT (headers) with a small configured timeout', async () => {
    stub.handler = () => {
      /* never answers */
    };
    const { c } = make({ timeouts: { headers: 150 }, retry: { max: 0 } });
    const e = await failure(c.call('api', 'post', {}));
    expect(e.code).toBe('CONSUMER_TIMEOUT');
    expect(e.phase).toBe('headers');
  });

  it('a stalled body: CONSUMER_TIMEOUT (body)', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
    };
    const { c } = make({ timeouts: { body: 150 } });
    const e = await failure(c.call('api', 'post', {}));
    expect(e.code).toBe('CONSUMER_TIMEOUT');
    expect(e.phase).toBe('body');
  });

  it('an aborted call: CONSUMER_ABORTED', async () => {
    stub.handler = () => {};
    const { c } = make();
    const ac = new AbortController();
    const p = c.call('api', 'get', {}, { signal: ac.signal });
    while (stub.requests.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    expect((await failure(p)).code).toBe('CONSUMER_ABORTED');
  });

  it('an abort handle aborts the in-flight call and the upstream sees its request closed', async () => {
    let closed = false;
    stub.handler = (_req, _res, raw) => {
      raw.socket.once('close', () => (closed = true));
    };
    const { c } = make();
    const handle: AbortHandle = { aborted: false, onAbort: undefined };
    const p = c.call('api', 'get', {}, { abort: handle });
    while (stub.requests.length === 0) await new Promise((r) => setImmediate(r));
    expect(typeof handle.onAbort).toBe('function');
    handle.aborted = true;
    handle.onAbort?.();
    const e = await failure(p);
    expect(e.code).toBe('CONSUMER_ABORTED');
    expect(handle.onAbort).toBeUndefined();
    while (!closed) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
  });

  it('an abort handle already aborted: nothing is sent', async () => {
    const { c } = make();
    const handle: AbortHandle = { aborted: true, onAbort: undefined };
    expect((await failure(c.call('api', 'post', {}, { abort: handle }))).code).toBe('CONSUMER_ABORTED');
    expect(stub.requests).toHaveLength(0);
  });

  it('an abort handle is released when the call completes, and the signal wins when both are given', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"a":"1"}');
    };
    const { c } = make();
    const handle: AbortHandle = { aborted: false, onAbort: undefined };
    const r = await c.call('api', 'get', {}, { abort: handle });
    expect(r.raw.toString()).toBe('{"a":"1"}');
    expect(handle.onAbort).toBeUndefined();
    const ac = new AbortController();
    const both: AbortHandle = { aborted: false, onAbort: undefined };
    await c.call('api', 'get', {}, { signal: ac.signal, abort: both });
    expect(both.onAbort).toBeUndefined();
  });

  it('an abort handle also stops the wait before a retry', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(503, { 'retry-after': '1' });
      res.end();
    };
    const handle: AbortHandle = { aborted: false, onAbort: undefined };
    const { c } = make({
      sleep: (_ms, signal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          // The consumer is now waiting: abort it through the handle.
          handle.aborted = true;
          handle.onAbort?.();
        }),
    });
    const e = await failure(c.call('api', 'get', {}, { abort: handle }));
    expect(e.code).toBe('CONSUMER_ABORTED');
    expect(stub.requests).toHaveLength(1);
  });
});

describe('bad bodies', () => {
  const send = (body: string, type = 'application/json') => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
  };

  it('garbage instead of JSON: UPSTREAM_BAD_BODY (passthrough, cheap check)', async () => {
    const { c } = make();
    send('<html>oops</html>');
    expect((await failure(c.call('api', 'get', {}))).code).toBe('UPSTREAM_BAD_BODY');
    send('{"a":1,"b":');
    expect((await failure(c.call('api', 'get', {}))).code).toBe('UPSTREAM_BAD_BODY');
  });

  it('passthrough keeps the bytes and parses lazily; invalid JSON surfaces on access', async () => {
    const { c } = make();
    send('{ "a" : nope }');
    const r = await c.call('api', 'get', {});
    expect(r.passthrough).toBe(true);
    expect(r.raw.toString()).toBe('{ "a" : nope }');
    let err: unknown;
    try {
      void r.body;
    } catch (e) {
      err = e;
    }
    expect((err as ConsumerError).code).toBe('UPSTREAM_BAD_BODY');
  });

  it('mapped shapes parse once up front: invalid JSON rejects the call', async () => {
    const { c } = make();
    send('{ "a" : nope }');
    expect((await failure(c.call('api', 'get', {}, { output: mapped }))).code).toBe('UPSTREAM_BAD_BODY');
    send('{"a":"x","b":2}');
    const r = await c.call('api', 'get', {}, { output: mapped });
    expect(r.passthrough).toBe(false);
    expect(r.mapped).toEqual({ a: 'x' });
  });

  it('an empty 204 body is null', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const { c } = make();
    const r = await c.call('api', 'put', {});
    expect(r.status).toBe(204);
    expect(r.body).toBeNull();
  });
});

describe('oversized bodies', () => {
  it('a declared Content-Length over the limit: UPSTREAM_TOO_LARGE without reading', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2048) });
      res.end(`"${'x'.repeat(2046)}"`);
    };
    const { c } = make({ maxResponseBytes: 1024 });
    expect((await failure(c.call('api', 'get', {}))).code).toBe('UPSTREAM_TOO_LARGE');
  });

  it('a chunked body growing over the limit: reading stops and the socket is destroyed', async () => {
    let closed = false;
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => (closed = true));
      const chunk = 'x'.repeat(16 * 1024);
      res.write('"');
      const pump = () => {
        while (!closed && res.write(chunk));
        if (!closed) res.once('drain', pump);
      };
      pump();
    };
    const { c } = make({ maxResponseBytes: 64 * 1024 });
    const e = await failure(c.call('api', 'get', {}));
    expect(e.code).toBe('UPSTREAM_TOO_LARGE');
    while (!closed) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
  });

  it('the default limit is 10 MiB', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024 + 1) });
      res.end();
    };
    const { c } = make();
    expect((await failure(c.call('api', 'get', {}))).code).toBe('UPSTREAM_TOO_LARGE');
  });
});

describe('status handling and retries', () => {
  function sequence(...steps: Array<[number, Record<string, string>?]>) {
    let i = 0;
    stub.handler = (_req, res) => {
      const [status, headers] = steps[Math.min(i++, steps.length - 1)]!;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ status }));
    };
  }

  it('429 with Retry-After: GET waits as told and retries', async () => {
    sequence([429, { 'retry-after': '2' }], [200]);
    const { c, delays } = make();
    const r = await c.call('api', 'get', {});
    expect(r.status).toBe(200);
    expect(delays).toEqual([2000]);
    expect(stub.requests).toHaveLength(2);
  });

  it('429 on POST is never retried: UPSTREAM_STATUS with the rate-limit headers', async () => {
    sequence([429, { 'x-retry-after': '1', 'x-rate-limit-requests-left': '0', 'x-rate-limit-time-reset-ms': '900' }], [200]);
    const { c, delays } = make();
    const e = await failure(c.call('api', 'post', {}));
    expect(e.code).toBe('UPSTREAM_STATUS');
    expect(e.status).toBe(429);
    expect(e.headers?.['x-retry-after']).toBe('1');
    expect(e.headers?.['x-rate-limit-requests-left']).toBe('0');
    expect(delays).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  it('X-Retry-After and X-Rate-Limit-Time-Reset-Ms are honoured; beyond the cap there is no retry', async () => {
    sequence([429, { 'x-retry-after': '1' }], [429, { 'x-rate-limit-time-reset-ms': '1500' }], [200]);
    const first = make();
    expect((await first.c.call('api', 'put', {})).status).toBe(200);
    expect(first.delays).toEqual([1000, 1500]);
    stub.requests.length = 0;
    sequence([429, { 'retry-after': '60' }], [200]);
    const capped = make({ retry: { maxDelayMs: 5000 } });
    const e = await failure(capped.c.call('api', 'get', {}));
    expect(e.status).toBe(429);
    expect(capped.delays).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  it('at most 2 retries, then the last status', async () => {
    sequence([503], [503], [503], [200]);
    const { c, delays } = make();
    const e = await failure(c.call('api', 'get', {}));
    expect(e.code).toBe('UPSTREAM_STATUS');
    expect(e.status).toBe(503);
    expect(delays).toEqual([100, 200]);
    expect(stub.requests).toHaveLength(3);
  });

  it('500 is not retried; 503 on POST is not retried', async () => {
    sequence([500], [200]);
    const { c } = make();
    expect((await failure(c.call('api', 'get', {}))).status).toBe(500);
    expect(stub.requests).toHaveLength(1);
    sequence([503], [200]);
    expect((await failure(c.call('api', 'post', {}))).status).toBe(503);
    expect(stub.requests).toHaveLength(2);
  });

  it('error bodies are carried parsed (JSON) or as text', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    };
    const { c } = make();
    const e = await failure(c.call('api', 'post', {}));
    expect(e.body).toBe('<h1>Bad gateway</h1>');
  });
});

describe('resources', () => {
  it('the pool drains: no socket stays open after close()', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const { c } = make();
    await Promise.all(Array.from({ length: 8 }, () => c.call('api', 'get', {})));
    expect(stub.sockets.size).toBeGreaterThan(0);
    await c.close();
    while (stub.sockets.size > 0) await new Promise((r) => setImmediate(r));
    expect(stub.sockets.size).toBe(0);
  });

  it('an injected dispatcher is used and not closed by close()', async () => {
    const { Agent } = await import('undici');
    const agent = new Agent();
    let dispatched = 0;
    const counting = agent.compose((dispatch) => (opts, handler) => {
      dispatched++;
      return dispatch(opts, handler);
    });
    const { c } = make({ dispatcher: counting });
    stub.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    await c.call('api', 'get', {});
    await c.close();
    expect(dispatched).toBe(1);
    expect(agent.closed).toBe(false);
    await agent.close();
  });
});

describe('error shape', () => {
  it('raw bytes are readable but not enumerable (loggers do not dump them); JSON has no raw', async () => {
    stub.handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"status":404}');
    };
    const { c } = make();
    const e = await failure(c.call('api', 'get', {}));
    expect(e.raw?.toString()).toBe('{"status":404}');
    expect(Object.keys(e)).not.toContain('raw');
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'ConsumerError',
      code: 'UPSTREAM_STATUS',
      message: 'The upstream of api.get responded with status 404.',
      target: 'api.get',
      status: 404,
      headers: expect.objectContaining({ 'content-type': 'application/json' }),
      body: { status: 404 },
    });
  });
});
