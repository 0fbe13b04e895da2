import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Consumer } from '@naftiko-ts/consumer';
import { createRestApp } from '../src/index.js';
import { consumerFor, echo, logSink, parseFixture, startStub, until, UPSTREAM_SECRET, type Stub } from './helpers.js';

const PROBLEM = 'application/problem+json; charset=utf-8';
const type = (slug: string): string => `urn:naftiko-ts:problem:${slug}`;

describe('createRestApp with a recording stub upstream (inject)', () => {
  let stub: Stub;
  let consumer: Consumer;
  let app: FastifyInstance;
  const logs = logSink();

  beforeAll(async () => {
    stub = await startStub();
    const capability = parseFixture('rules.yaml');
    consumer = consumerFor(capability, stub.url, { timeouts: { headers: 5_000 } });
    app = await createRestApp({ capability, consumer, logger: { level: 'info', stream: logs.stream } as never });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await consumer.close();
    await stub.close();
  });
  beforeEach(() => {
    stub.requests.length = 0;
    stub.respond(echo);
  });

  describe('routing', () => {
    it('serves a declared route and calls the upstream with the right method and path', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/items/42?include=x&limit=3' });
      expect(res.statusCode).toBe(200);
      expect(stub.requests).toHaveLength(1);
      expect(stub.requests[0]!.method).toBe('GET');
      expect(stub.requests[0]!.url).toBe('/api/items/42?include=x&limit=3');
    });

    it('percent-encodes a path variable as one upstream segment', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/items/a%2Fb%20c' });
      expect(res.statusCode).toBe(200);
      expect(stub.requests[0]!.url).toBe('/api/items/a%2Fb%20c');
    });

    it('serves placeholders with odd names (`{file-name}.json`)', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/files/report.json' });
      expect(res.statusCode).toBe(200);
      expect(stub.requests[0]!.url).toBe('/api/files/report');
    });

    it('an empty odd-named path variable is reported under its own name', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/files/.json' });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([{ in: 'path', name: 'file-name', message: 'must NOT have fewer than 1 characters' }]);
      expect(stub.requests).toHaveLength(0);
    });

    it('router-level failures are problem+json: bad percent-encoding → 400, over-long segment → 414', async () => {
      const bad = await app.inject({ method: 'GET', url: '/v1/items/%E0%A4%A' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toBe(PROBLEM);
      expect(bad.json().type).toBe(type('bad-request'));
      const long = await app.inject({ method: 'GET', url: `/v1/items/${'x'.repeat(600)}` });
      expect(long.statusCode).toBe(414);
      expect(long.json().type).toBe(type('uri-too-long'));
      expect(stub.requests).toHaveLength(0);
    });

    it('answers 404 problem+json for an unknown path, without calling upstream', async () => {
      const res = await app.inject({ method: 'GET', url: '/v2/nothing?apikey=hidden' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json()).toEqual({ type: type('not-found'), title: 'Not Found', status: 404, detail: 'No resource at `/v2/nothing`.', instance: '/v2/nothing' });
      expect(stub.requests).toHaveLength(0);
    });

    it('answers 405 with Allow listing the served methods (HEAD because GET is served)', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/items/1', payload: {} });
      expect(res.statusCode).toBe(405);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.headers['allow']).toBe('GET, HEAD, PUT, DELETE');
      expect(res.json()).toMatchObject({ type: type('method-not-allowed'), status: 405 });
      expect(stub.requests).toHaveLength(0);
    });

    it('does not list HEAD in Allow when GET is not served', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/tokens' });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      const head = await app.inject({ method: 'HEAD', url: '/v1/tokens' });
      expect(head.statusCode).toBe(405);
    });

    it('answers HEAD on a GET route', async () => {
      const res = await app.inject({ method: 'HEAD', url: '/v1/items/1' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
    });
  });

  describe('inputs', () => {
    it('rejects a wrongly typed query parameter with 400 invalid-input and forwards nothing', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/items/1?limit=abc' });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe(PROBLEM);
      const body = res.json();
      expect(body.type).toBe(type('invalid-input'));
      expect(body.detail).toContain('`limit`');
      expect(body.errors).toEqual([{ in: 'query', name: 'limit', message: 'must be integer' }]);
      expect(stub.requests).toHaveLength(0);
    });

    it('rejects a missing required header with 400 and forwards nothing', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/search' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ type: type('invalid-input'), errors: [{ in: 'header', name: 'x-tenant' }] });
      expect(stub.requests).toHaveLength(0);
    });

    it('turns repeated query keys into arrays and forwards headers', async () => {
      stub.respond((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data":[{"name":"a"},{"name":"b"}],"meta":{"total":2}}');
      });
      const res = await app.inject({ method: 'GET', url: '/v1/search?id:in=1&id:in=2', headers: { 'x-tenant': 't1' } });
      expect(res.statusCode).toBe(200);
      expect(stub.requests[0]!.url).toBe('/api/search?id:in=1&id:in=2');
      expect(stub.requests[0]!.headers['x-tenant']).toBe('t1');
      // mapped output
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({ total: 2, names: ['a', 'b'] });
    });

    it('a single value for an array input is an array of one', async () => {
      await app.inject({ method: 'GET', url: '/v1/search?id:in=7', headers: { 'x-tenant': 't1' } });
      expect(stub.requests[0]!.url).toBe('/api/search?id:in=7');
    });

    it('rejects a repeated key for a string input', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/items/1?include=a&include=b' });
      expect(res.statusCode).toBe(400);
      expect(stub.requests).toHaveLength(0);
    });

    it('never forwards the caller Authorization header', async () => {
      await app.inject({ method: 'GET', url: '/v1/items/1', headers: { authorization: 'Bearer caller' } });
      expect(stub.requests[0]!.headers['authorization']).toBeUndefined();
      expect(stub.requests[0]!.headers['x-auth-token']).toBe(UPSTREAM_SECRET);
    });
  });

  describe('request bodies', () => {
    it('forwards the whole JSON body as `body`', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', payload: { name: 'x', n: [1, 2] } });
      expect(res.statusCode).toBe(200);
      expect(stub.requests[0]!.method).toBe('PUT');
      expect(JSON.parse(stub.requests[0]!.body)).toEqual({ name: 'x', n: [1, 2] });
    });

    it('accepts `*+json` media types', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'application/merge-patch+json' }, payload: '{"a":1}' });
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(stub.requests[0]!.body)).toEqual({ a: 1 });
    });

    it('malformed JSON → 400 malformed-json, nothing forwarded', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json().type).toBe(type('malformed-json'));
      expect(stub.requests).toHaveLength(0);
    });

    it('prototype poisoning is refused as malformed JSON', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' });
      expect(res.statusCode).toBe(400);
      expect(stub.requests).toHaveLength(0);
    });

    it('text/plain where a body is expected → 415', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'text/plain' }, payload: '{"a":1}' });
      expect(res.statusCode).toBe(415);
      expect(res.json().type).toBe(type('unsupported-media-type'));
      expect(stub.requests).toHaveLength(0);
    });

    it('an unknown content type → 415', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
      expect(res.statusCode).toBe(415);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(stub.requests).toHaveLength(0);
    });

    it('a body of the wrong type → 400 invalid-input', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'application/json' }, payload: '[1,2]' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ type: type('invalid-input'), errors: [{ in: 'body', message: 'must be object' }] });
      expect(stub.requests).toHaveLength(0);
    });

    it('a missing required body → 400 invalid-input', async () => {
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5' });
      expect(res.statusCode).toBe(400);
      expect(res.json().type).toBe(type('invalid-input'));
      expect(stub.requests).toHaveLength(0);
    });

    it('an empty body is allowed when the body input is optional (with or without Content-Type)', async () => {
      const a = await app.inject({ method: 'POST', url: '/v1/tokens' });
      expect(a.statusCode).toBe(200);
      const b = await app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'content-type': 'application/json' }, payload: '' });
      expect(b.statusCode).toBe(200);
      expect(stub.requests.map((r) => r.body)).toEqual(['', '']);
    });

    it('over the body limit → 413, nothing forwarded', async () => {
      const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
      const res = await app.inject({ method: 'PUT', url: '/v1/items/5', headers: { 'content-type': 'application/json' }, payload: big });
      expect(res.statusCode).toBe(413);
      expect(res.json().type).toBe(type('payload-too-large'));
      expect(stub.requests).toHaveLength(0);
    });
  });

  describe('upstream outcomes', () => {
    it('2xx passthrough: the upstream bytes and content type unchanged (no re-serialisation)', async () => {
      const raw = '{ "b" :1,\n  "a":  [ 1.50, "\\u00e9" ] }';
      stub.respond((_req, res) => {
        res.writeHead(201, { 'content-type': 'application/vnd.test+json; charset=utf-8' });
        res.end(raw);
      });
      const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: { a: 1 } });
      expect(res.statusCode).toBe(201);
      expect(res.headers['content-type']).toBe('application/vnd.test+json; charset=utf-8');
      expect(res.body).toBe(raw);
    });

    it('2xx with no output declared and an empty body → same status, empty body', async () => {
      stub.respond((_req, res) => {
        res.writeHead(204);
        res.end();
      });
      const res = await app.inject({ method: 'DELETE', url: '/v1/items/5' });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
    });

    it('4xx (not 401) → same status, body unmapped, upstream content type kept', async () => {
      const raw = '{"status":422,"title":"The following fields are invalid: expires_at","errors":{"expires_at":"required"}}';
      stub.respond((_req, res) => {
        res.writeHead(422, { 'content-type': 'application/problem+json' });
        res.end(raw);
      });
      const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: {} });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.body).toBe(raw);
    });

    it('404 from upstream is passed through too', async () => {
      stub.respond((_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"status":404}');
      });
      const res = await app.inject({ method: 'GET', url: '/v1/items/404' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe('{"status":404}');
    });

    it('429 keeps Retry-After, X-Retry-After and X-Rate-Limit-* headers', async () => {
      stub.respond((_req, res) => {
        res.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': '3',
          'x-retry-after': '3',
          'x-rate-limit-requests-left': '0',
          'x-rate-limit-time-reset-ms': '2500',
          'x-other': 'dropped',
        });
        res.end('{"status":429}');
      });
      const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: {} });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('3');
      expect(res.headers['x-retry-after']).toBe('3');
      expect(res.headers['x-rate-limit-requests-left']).toBe('0');
      expect(res.headers['x-rate-limit-time-reset-ms']).toBe('2500');
      expect(res.headers['x-other']).toBeUndefined();
      expect(res.body).toBe('{"status":429}');
    });

    it('401 from upstream → 502 upstream-unauthorized naming the secret, never its value', async () => {
      stub.respond((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"status":401,"title":"Unauthorized"}');
      });
      const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: {} });
      expect(res.statusCode).toBe(502);
      expect(res.headers['content-type']).toBe(PROBLEM);
      const body = res.json();
      expect(body.type).toBe(type('upstream-unauthorized'));
      expect(body.detail).toContain('TEST_UPSTREAM_KEY');
      expect(body.upstreamStatus).toBe(401);
      expect(res.body).not.toContain(UPSTREAM_SECRET);
    });

    it('5xx from upstream → 502 upstream-error', async () => {
      stub.respond((_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('maintenance');
      });
      const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: {} });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ type: type('upstream-error'), upstreamStatus: 503 });
    });

    it('an invalid JSON body from upstream on a mapped route → 502 upstream-bad-body', async () => {
      stub.respond((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{not json');
      });
      const res = await app.inject({ method: 'GET', url: '/v1/search', headers: { 'x-tenant': 't' } });
      expect(res.statusCode).toBe(502);
      expect(res.json().type).toBe(type('upstream-bad-body'));
    });

    it('a reset connection → 502 upstream-unreachable', async () => {
      stub.respond((req, res) => {
        void req;
        res.socket?.destroy();
      });
      const res = await app.inject({ method: 'POST', url: '/v1/tokens', payload: {} });
      expect(res.statusCode).toBe(502);
      expect(res.json().type).toBe(type('upstream-unreachable'));
    });
  });

  describe('logs', () => {
    it('writes one line per request with route, status, upstream status and duration', async () => {
      logs.lines.length = 0;
      stub.respond((_req, res) => {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end('{}');
      });
      await app.inject({ method: 'POST', url: '/v1/tokens', payload: {} });
      await until(() => logs.lines.some((l) => l.includes('request completed')));
      const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request completed');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ method: 'POST', route: '/v1/tokens', status: 422, upstreamStatus: 422 });
      expect(typeof lines[0]!['durationMs']).toBe('number');
    });

    it('never contains the upstream secret', () => {
      expect(logs.text().length).toBeGreaterThan(0);
      expect(logs.text()).not.toContain(UPSTREAM_SECRET);
      expect(logs.text()).not.toContain(JSON.stringify(UPSTREAM_SECRET).slice(1, -1));
    });
  });
});
