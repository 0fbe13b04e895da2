import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Capability } from '@naftiko-ts/spec';
import type { Consumer } from '@naftiko-ts/consumer';
import { buildOpenApi, createRestApp, restAdapterPlugin, RestAdapterError } from '../src/index.js';
import { consumerFor, parse, parseFixture, restAdapterOf, startStub, type Stub } from './helpers.js';

function tiny(namespace: string, paths: Array<[string, string]>, source = `${namespace}.yaml`): Capability {
  const resources = paths
    .map(
      ([method, p], i) => `    - path: ${p}
      name: r${i}
      operations:
      - method: ${method}
        name: op${i}
        call: up.list`,
    )
    .join('\n');
  return parse(
    `naftiko: 1.0.0-alpha2
info:
  label: ${namespace}
  description: tiny
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://upstream.invalid
    resources:
    - name: things
      path: /things
      operations:
      - name: list
        method: GET
  exposes:
  - type: rest
    namespace: ${namespace}
    port: 8080
    resources:
${resources}
`,
    source,
  );
}

describe('built-in endpoints', () => {
  let stub: Stub;
  let consumer: Consumer;
  let capability: Capability;
  beforeAll(async () => {
    stub = await startStub();
    capability = parseFixture('rules.yaml');
    consumer = consumerFor(capability, stub.url);
  });
  afterAll(async () => {
    await consumer.close();
    await stub.close();
  });

  it('GET /healthz → 200 {status: ok}', async () => {
    const app = await createRestApp({ capability, consumer });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'POST', url: '/healthz' })).statusCode).toBe(405);
    await app.close();
  });

  it('GET /readyz follows isReady()', async () => {
    let ready = false;
    const app = await createRestApp({ capability, consumer, isReady: () => ready });
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    ready = true;
    const after = await app.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ready' });
    await app.close();
  });

  it('GET /metrics: request count and latency per route and status, upstream statuses; one registry per app', async () => {
    const app = await createRestApp({ capability, consumer });
    const other = await createRestApp({ capability, consumer });
    await app.inject({ method: 'GET', url: '/v1/items/1' });
    await app.inject({ method: 'GET', url: '/v1/items/2' });
    await app.inject({ method: 'GET', url: '/nope' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="/v1/items/{itemid}",status="200"} 2');
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('naftiko_http_request_duration_seconds_bucket{method="GET",route="/v1/items/{itemid}",status="200",le="+Inf"} 2');
    expect(text).toContain('naftiko_http_request_duration_seconds_count{method="GET",route="/v1/items/{itemid}",status="200"} 2');
    expect(text).toContain('naftiko_upstream_responses_total{operation="up.get-item",status="200"} 2');
    const otherText = (await other.inject({ method: 'GET', url: '/metrics' })).body;
    expect(otherText).not.toContain('/v1/items/{itemid}');
    await app.close();
    await other.close();
  });

  it('GET /openapi.json validates as OpenAPI 3.1 and describes routes, parameters, bodies and problems', async () => {
    const app = await createRestApp({ capability, consumer });
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    await app.close();
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/items/{itemid}', '/v1/tokens', '/v1/search', '/v1/files/{file-name}.json']));
    const get = doc.paths['/v1/items/{itemid}'].get;
    expect(get.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'itemid', in: 'path', required: true }),
        expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer' }) }),
      ]),
    );
    expect(doc.paths['/v1/items/{itemid}'].put.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { type: 'object' } } } });
    expect(doc.paths['/v1/tokens'].post.responses['502'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(doc.paths['/v1/search'].get.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'X-Tenant', in: 'header', required: true })]));
    expect(doc.paths['/v1/search'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty('total');
  });

  it('buildOpenApi declares the exposed security scheme', async () => {
    const cap = parse(`naftiko: 1.0.0-alpha2
info: {label: sec, description: sec}
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://upstream.invalid
    resources:
    - name: things
      path: /things
      operations:
      - name: list
        method: GET
  exposes:
  - type: rest
    namespace: sec-rest
    port: 8080
    authentication: {type: apikey, key: X-API-Key, value: literal-key, placement: header}
    resources:
    - path: /things
      name: things
      operations:
      - method: GET
        name: list
        call: up.list
`);
    const doc = buildOpenApi([{ capability: cap, adapter: restAdapterOf(cap) }]);
    expect(doc.components['securitySchemes']).toEqual({ 'sec-rest': { type: 'apiKey', in: 'header', name: 'X-API-Key' } });
    expect((doc.paths['/things']!['get'] as { security: unknown }).security).toEqual([{ 'sec-rest': [] }]);
    expect((await new Validator().validate(doc)).valid).toBe(true);
  });
});

describe('start-up checks', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => stub.close());

  for (const reserved of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
    it(`refuses a resource at ${reserved}`, async () => {
      const cap = tiny('res', [['GET', reserved]]);
      const consumer = consumerFor(cap, stub.url);
      const err = await createRestApp({ capability: cap, consumer }).catch((e: unknown) => e);
      await consumer.close();
      expect(RestAdapterError.isInstance(err)).toBe(true);
      expect((err as RestAdapterError).code).toBe('REST_RESERVED_PATH');
      expect((err as Error).message).toContain(reserved);
    });
  }

  it('two capability files on one port share one app', async () => {
    const a = tiny('a-rest', [['GET', '/a/{id}']], 'a.yaml');
    const b = tiny('b-rest', [['GET', '/b/{id}'], ['POST', '/a/{id}']], 'b.yaml');
    const ca = consumerFor(a, stub.url);
    const cb = consumerFor(b, stub.url);
    const app = await createRestApp({
      adapters: [
        { capability: a, adapter: restAdapterOf(a), consumer: ca },
        { capability: b, adapter: restAdapterOf(b), consumer: cb },
      ],
    });
    expect((await app.inject({ method: 'GET', url: '/a/1' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/b/1' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/a/1' })).statusCode).toBe(200);
    const put = await app.inject({ method: 'PUT', url: '/a/1' });
    expect(put.statusCode).toBe(405);
    expect(put.headers['allow']).toBe('GET, HEAD, POST');
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/a/{id}', '/b/{id}']));
    await app.close();
    await ca.close();
    await cb.close();
  });

  it('405 lists the methods of every route matching the path; 404 when none matches', async () => {
    const cap = tiny('m-rest', [['GET', '/c/{id}'], ['POST', '/c/count'], ['DELETE', '/c/{id}/x.json']]);
    const consumer = consumerFor(cap, stub.url);
    const app = await createRestApp({ capability: cap, consumer });
    const a = await app.inject({ method: 'PUT', url: '/c/count' });
    expect(a.statusCode).toBe(405);
    expect(a.headers['allow']).toBe('GET, HEAD, POST');
    expect(a.json()).toMatchObject({ allow: ['GET', 'HEAD', 'POST'], detail: expect.stringContaining('`/c/count`') });
    const b = await app.inject({ method: 'PUT', url: '/c/5?q=1' });
    expect(b.statusCode).toBe(405);
    expect(b.headers['allow']).toBe('GET, HEAD');
    expect((await app.inject({ method: 'GET', url: '/c/5/x.json' })).headers['allow']).toBe('DELETE');
    expect((await app.inject({ method: 'GET', url: '/c/5/xxjson' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/c/5/y' })).statusCode).toBe(404);
    // An empty path variable is refused before anything is forwarded.
    stub.requests.length = 0;
    const empty = await app.inject({ method: 'GET', url: '/c/' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([{ in: 'path', name: 'id', message: 'must NOT have fewer than 1 characters' }]);
    expect(stub.requests).toHaveLength(0);
    expect((await app.inject({ method: 'OPTIONS', url: '/healthz' })).headers['allow']).toBe('GET, HEAD');
    const text = await app.naftikoRest.registry.metrics();
    expect(text).toContain('naftiko_http_requests_total{method="PUT",route="/c/count",status="405"} 1');
    expect(text).toContain('naftiko_http_requests_total{method="PUT",route="/c/{id}",status="405"} 1');
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="unmatched",status="404"} 2');
    await app.close();
    await consumer.close();
  });

  it('the same method and path from two sources → REST_ROUTE_CONFLICT naming both', async () => {
    const a = tiny('a-rest', [['GET', '/things/{id}']], 'first.yaml');
    const b = tiny('b-rest', [['GET', '/things/{thingId}']], 'second.yaml');
    const ca = consumerFor(a, stub.url);
    const cb = consumerFor(b, stub.url);
    const err = await createRestApp({
      adapters: [
        { capability: a, adapter: restAdapterOf(a), consumer: ca },
        { capability: b, adapter: restAdapterOf(b), consumer: cb },
      ],
    }).catch((e: unknown) => e);
    await ca.close();
    await cb.close();
    expect(RestAdapterError.isInstance(err)).toBe(true);
    expect((err as RestAdapterError).code).toBe('REST_ROUTE_CONFLICT');
    expect((err as Error).message).toContain('first.yaml#');
    expect((err as Error).message).toContain('second.yaml#');
  });

  it('a capability without a REST adapter → REST_NO_ADAPTER', async () => {
    const cap = tiny('x', [['GET', '/x']]);
    const noRest = { ...cap, exposes: [] };
    const consumer = consumerFor(cap, stub.url);
    const err = await createRestApp({ capability: noRest, consumer }).catch((e: unknown) => e);
    await consumer.close();
    expect((err as RestAdapterError).code).toBe('REST_NO_ADAPTER');
  });

  it('restAdapterPlugin serves the adapter inside an existing app', async () => {
    const cap = tiny('p-rest', [['GET', '/things']]);
    const consumer = consumerFor(cap, stub.url);
    const app = Fastify();
    app.get('/own', async () => ({ own: true }));
    await app.register(restAdapterPlugin, { adapters: [{ capability: cap, adapter: restAdapterOf(cap), consumer }] });
    expect((await app.inject({ method: 'GET', url: '/own' })).json()).toEqual({ own: true });
    expect((await app.inject({ method: 'GET', url: '/things' })).statusCode).toBe(200);
    const missing = await app.inject({ method: 'GET', url: '/missing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    // The host's own routes are not measured; the adapter's are.
    const text = await app.naftikoRest.registry.metrics();
    expect(text).toContain('route="/things",status="200"');
    expect(text).not.toContain('/own');
    await app.close();
    await consumer.close();
  });
});
