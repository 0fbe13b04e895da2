import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, ConsumerError } from '../src/index.js';
import type { McpAdapter, RestAdapter } from '@naftiko-ts/spec';
import { hasSeed, load, seedFile, startStub, type Stub } from './helpers.js';


describe.skipIf(!hasSeed)('seed capability (customer impersonation token)', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{"token":"eyJ.x.y"},"meta":{}}');
    });
  });
  afterAll(() => stub.close());

  const make = () => {
    const capability = load(fs.readFileSync(seedFile, 'utf8'), seedFile);
    const consumer = createConsumer({
      capability,
      env: { STORE_HASH: 'abc123', BIGCOMMERCE_API_KEY: 'sekret-api-key' },
      baseUriOverrides: {
        'storefront-token-customer-impersonation-token': `${stub.url}/stores/{store_hash}/v3`,
      },
    });
    const rest = capability.exposes.find((e): e is RestAdapter => e.type === 'rest')!;
    const mcp = capability.exposes.find((e): e is McpAdapter => e.type === 'mcp')!;
    return { capability, consumer, route: rest.routes[0]!, tool: mcp.tools[0]! };
  };

  it('sends exactly the request the capability means (REST route)', async () => {
    const { consumer, route } = make();
    expect(consumer.problems).toEqual([]);
    consumer.assertReady();
    const prepared = consumer.prepare(route.call!, route.output);
    expect(prepared.method).toBe('POST');
    expect(prepared.target).toBe(
      'storefront-token-customer-impersonation-token.createtokenwithcustomerimpersonation',
    );
    stub.requests.length = 0;
    const body = { channel_id: 1, expires_at: 1885635176 };
    const result = await prepared.invoke({ body });
    const req = stub.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/stores/abc123/v3/storefront/api-token-customer-impersonation');
    expect(req.headers['x-auth-token']).toBe('sekret-api-key');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.body.toString()).toBe(JSON.stringify(body));
    expect(result.status).toBe(200);
    expect(result.passthrough).toBe(true);
    expect(result.raw.toString()).toBe('{"data":{"token":"eyJ.x.y"},"meta":{}}');
    expect(result.body).toEqual({ data: { token: 'eyJ.x.y' }, meta: {} });
    expect(result.mapped).toEqual({ data: { token: 'eyJ.x.y' }, meta: {} });
    expect(result.contentType).toBe('application/json');
    await consumer.close();
  });

  it('forwards caller bytes unchanged when given a Buffer (byte-equal body)', async () => {
    const { consumer, route } = make();
    stub.requests.length = 0;
    const bytes = Buffer.from('{ "expires_at" : 1885635176,\n  "channel_ids": [1, 12] }');
    await consumer.prepare(route.call!, route.output).invoke({ body: bytes });
    expect(stub.requests[0]!.body.equals(bytes)).toBe(true);
    await consumer.close();
  });

  it('works the same through the MCP tool (tools.body)', async () => {
    const { consumer, tool } = make();
    stub.requests.length = 0;
    const result = await consumer.prepare(tool.call!, tool.output).invoke({ body: { expires_at: 1, channel_id: 1 } });
    expect(stub.requests[0]!.url).toBe('/stores/abc123/v3/storefront/api-token-customer-impersonation');
    expect(JSON.parse(stub.requests[0]!.body.toString())).toEqual({ expires_at: 1, channel_id: 1 });
    expect(result.mapped).toEqual({ data: { token: 'eyJ.x.y' }, meta: {} });
    await consumer.close();
  });

  it('absent body input sends no body at all, never the text `rest.body`', async () => {
    const { consumer, route } = make();
    stub.requests.length = 0;
    await consumer.prepare(route.call!, route.output).invoke({});
    expect(stub.requests[0]!.body.length).toBe(0);
    expect(stub.requests[0]!.headers['content-type']).toBeUndefined();
    await consumer.close();
  });

  it('call() convenience form with with/output', async () => {
    const { consumer, route } = make();
    stub.requests.length = 0;
    const r = await consumer.call(
      'storefront-token-customer-impersonation-token',
      'createtokenwithcustomerimpersonation',
      { body: { a: 1 } },
      { with: route.call!.with, output: route.output },
    );
    expect(r.status).toBe(200);
    expect(stub.requests[0]!.body.toString()).toBe('{"a":1}');
    // Without `with`, inputs are the consumed parameters themselves.
    await consumer.call('storefront-token-customer-impersonation-token', 'createtokenwithcustomerimpersonation', {
      body: { b: 2 },
    });
    expect(stub.requests[1]!.body.toString()).toBe('{"b":2}');
    await expect(consumer.call('nope', 'nothing', {})).rejects.toMatchObject({ code: 'CONSUMER_CONFIG' });
    await consumer.close();
  });

  it('upstream 4xx becomes a typed UPSTREAM_STATUS with status, headers and parsed body', async () => {
    const { consumer, route } = make();
    const previous = stub.handler;
    stub.handler = (_req, res) => {
      res.writeHead(422, { 'content-type': 'application/problem+json', 'x-rate-limit-requests-left': '148' });
      res.end('{"status":422,"title":"The following fields are invalid: expires_at","errors":{"expires_at":"required"}}');
    };
    try {
      const err = await consumer
        .prepare(route.call!, route.output)
        .invoke({ body: {} })
        .catch((e: unknown) => e);
      expect(ConsumerError.isInstance(err)).toBe(true);
      const e = err as ConsumerError;
      expect(e.code).toBe('UPSTREAM_STATUS');
      expect(e.status).toBe(422);
      expect(e.headers?.['x-rate-limit-requests-left']).toBe('148');
      expect(e.body).toMatchObject({ status: 422, errors: { expires_at: 'required' } });
      expect(e.raw?.toString()).toContain('expires_at');
      expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'UPSTREAM_STATUS', status: 422 });
    } finally {
      stub.handler = previous;
      await consumer.close();
    }
  });
});
