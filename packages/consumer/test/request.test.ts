import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RestAdapter } from '@naftiko-ts/spec';
import { createConsumer, ConsumerError, type Consumer } from '../src/index.js';
import { fixturesDir, load, startStub, type Stub } from './helpers.js';

const shopFile = path.join(fixturesDir, 'shop.yaml');
const capability = load(fs.readFileSync(shopFile, 'utf8'), shopFile);
const route = (capability.exposes[0] as RestAdapter).routes[0]!;

let stub: Stub;
let consumer: Consumer;
beforeAll(async () => {
  stub = await startStub();
  consumer = createConsumer({
    capability,
    env: { STORE_HASH: 'my store/1', TEST_API_KEY: 'k-123' },
    baseUriOverrides: { shop: `${stub.url}/stores/{{store_hash}}/v3/` },
  });
});
afterAll(async () => {
  await consumer.close();
  await stub.close();
});
afterEach(() => {
  stub.requests.length = 0;
});

const last = () => stub.requests[stub.requests.length - 1]!;

describe('URL building', () => {
  it('fills baseUri and path placeholders, each encoded as one segment, joined with one `/`', async () => {
    await consumer.prepare(route.call!, route.output).invoke({ cartid: 'a/b c', item: '..' });
    expect(last().path).toBe('/stores/my%20store%2F1/v3/carts/a%2Fb%20c/items/%2E%2E');
  });

  it('implicit pass-through: same name, then case-insensitive (`{cartId}` ← `cartid`)', async () => {
    await consumer.call('shop', 'getitem', { cartId: 'C1', itemId: 7 });
    expect(last().path).toBe('/stores/my%20store%2F1/v3/carts/C1/items/7');
    await consumer.call('shop', 'getitem', { CARTID: 'C2', itemid: 8 });
    expect(last().path).toBe('/stores/my%20store%2F1/v3/carts/C2/items/8');
  });

  it('a missing required path variable fails with MISSING_INPUT before any I/O', async () => {
    const err = (await consumer
      .prepare(route.call!, route.output)
      .invoke({ cartid: 'c' })
      .catch((e: unknown) => e)) as ConsumerError;
    expect(ConsumerError.isInstance(err)).toBe(true);
    expect(err.code).toBe('MISSING_INPUT');
    expect(err.names).toEqual(['itemId']);
    expect(err.message).toContain('`itemId`');
    const empty = (await consumer.call('shop', 'getitem', { cartId: '', itemId: null }).catch((e: unknown) => e)) as ConsumerError;
    expect(empty.code).toBe('MISSING_INPUT');
    expect(empty.names).toEqual(['cartId', 'itemId']);
    expect(stub.requests).toHaveLength(0);
  });

  it('an object as a path value is INVALID_INPUT, before any I/O', async () => {
    const err = (await consumer.call('shop', 'getitem', { cartId: { a: 1 }, itemId: 1 }).catch((e: unknown) => e)) as ConsumerError;
    expect(err.code).toBe('INVALID_INPUT');
    expect(stub.requests).toHaveLength(0);
  });
});

describe('query parameters', () => {
  it('names with `:` stay literal, arrays repeat the key, declared value is the fallback, with literals apply', async () => {
    await consumer.prepare(route.call!, route.output).invoke({ cartid: 'c', item: 'i', 'id:in': [1, 2] });
    const q = last().url.split('?')[1];
    expect(q).toBe('id:in=1&id:in=2&include=redirect_urls&limit=25');
  });

  it('a string value is sent as is (comma lists), inputs override the declared value, reserved characters are encoded', async () => {
    await consumer.call('shop', 'getitem', {
      cartId: 'c',
      itemId: 'i',
      'id:in': '1,2,3',
      'date_created:min': '2024-01-01T00:00:00+01:00',
      include: 'x',
      q: 'a&b=c d#e',
    });
    expect(last().url.split('?')[1]).toBe(
      'id:in=1,2,3&date_created:min=2024-01-01T00:00:00%2B01:00&include=x&q=a%26b%3Dc%20d%23e',
    );
    expect(last().query).toEqual([
      ['id:in', '1,2,3'],
      ['date_created:min', '2024-01-01T00:00:00+01:00'],
      ['include', 'x'],
      ['q', 'a&b=c d#e'],
    ]);
  });

  it('an absent input leaves the key unset: never the literal `rest.x`', async () => {
    await consumer.prepare(route.call!, route.output).invoke({ cartid: 'c', item: 'i' });
    expect(last().url).not.toContain('rest.');
    expect(last().query.map(([k]) => k)).toEqual(['include', 'limit']);
    expect(last().headers['x-trace']).toBeUndefined();
  });
});

describe('headers', () => {
  it('declared header params from templates; auth header last; the caller Authorization is never forwarded', async () => {
    await consumer.prepare(route.call!, route.output).invoke({
      cartid: 'c',
      item: 'i',
      trace: 't1',
      Authorization: 'Bearer caller-token',
    });
    const h = last().headers;
    expect(h['x-trace']).toBe('trace-t1');
    expect(h.authorization).toBeUndefined();
    expect(h['x-auth-token']).toBe('k-123');
    expect(h.accept).toBe('application/json');
  });

  it('same-name inputs cannot override the capability auth header or hop-by-hop headers', async () => {
    await consumer.call('shop', 'getitem', {
      cartId: 'c',
      itemId: 'i',
      'X-Auth-Token': 'forged',
      Authorization: 'Basic Zm9yZ2Vk',
      Connection: 'upgrade',
    });
    const h = last().headers;
    expect(h['x-auth-token']).toBe('k-123');
    expect(h.authorization).toBeUndefined();
    expect(h.connection).not.toBe('upgrade');
  });

  it('a header value with a line break is INVALID_INPUT, before any I/O', async () => {
    const err = (await consumer
      .call('shop', 'getitem', { cartId: 'c', itemId: 'i', 'X-Trace': 'a\r\nX-Evil: 1' })
      .catch((e: unknown) => e)) as ConsumerError;
    expect(err.code).toBe('INVALID_INPUT');
    expect(stub.requests).toHaveLength(0);
  });

  it('header inputs match case-insensitively, also through `with` (`rest.X-Channel` ← `x-channel`)', async () => {
    await consumer.prepare(route.call!, route.output).invoke({ cartid: 'c', item: 'i', 'x-channel': '5' });
    expect(last().headers['x-channel']).toBe('5');
    await consumer.call('shop', 'getitem', { cartId: 'c', itemId: 'i', 'x-trace': 'direct' });
    expect(last().headers['x-trace']).toBe('direct');
  });

  it('cookie params are sent in one Cookie header, values encoded', async () => {
    await consumer.call('shop', 'getitem', { cartId: 'c', itemId: 'i', session: 'a b;c' });
    expect(last().headers.cookie).toBe('session=a%20b%3Bc; theme=dark');
  });

  it('forwards the request id as X-Request-Id', async () => {
    await consumer.call('shop', 'getitem', { cartId: 'c', itemId: 'i' }, { requestId: 'req-42' });
    expect(last().headers['x-request-id']).toBe('req-42');
  });
});

describe('bodies', () => {
  it('several `in: body` params are assembled into one object; absent ones are dropped', async () => {
    await consumer.call('shop', 'create', { customer_id: 5, lines: [{ sku: 'a' }] });
    expect(last().method).toBe('POST');
    expect(last().headers['content-type']).toBe('application/json');
    expect(JSON.parse(last().body.toString())).toEqual({ customer_id: 5, lines: [{ sku: 'a' }] });
  });

  it('json body templates render JSON-aware: whole placeholders keep their type, text is escaped', async () => {
    await consumer.call('shop', 'templated', { customer: 42, quote: 'say "hi"\n{k=v}' });
    expect(JSON.parse(last().body.toString())).toEqual({
      customer: 42,
      label: 'id=42',
      key: 'k-123',
      fixed: 3,
      quoted: 'say "hi"\n{k=v}',
    });
    await consumer.call('shop', 'templated', { customer: { id: 1 } });
    expect(JSON.parse(last().body.toString()).customer).toEqual({ id: 1 });
  });

  it('formUrlEncoded bodies are encoded for real', async () => {
    await consumer.call('shop', 'form', { a: 'é & =' });
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last().body.toString()).toBe('a=%C3%A9+%26+%3D&b=x+y%26z');
  });

  it('text bodies carry text/plain', async () => {
    await consumer.call('shop', 'text', { name: 'world' });
    expect(last().headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(last().body.toString()).toBe('hello world');
  });

  it('multipartForm bodies are real multipart with a boundary', async () => {
    await consumer.call('shop', 'multi', { v: 'value-1' });
    const ct = String(last().headers['content-type']);
    expect(ct).toMatch(/^multipart\/form-data; boundary=/);
    const body = last().body.toString();
    expect(body).toContain('name="field"');
    expect(body).toContain('value-1');
    expect(body).toContain('filename="a.txt"');
    expect(body).toContain('Content-Type: text/plain');
    expect(body).toContain('file-content');
  });
});

describe('formats', () => {
  it('outputRawFormat other than json is UNSUPPORTED_FORMAT, before any I/O', async () => {
    const err = (await consumer.call('shop', 'xml', {}).catch((e: unknown) => e)) as ConsumerError;
    expect(err.code).toBe('UNSUPPORTED_FORMAT');
    expect(err.message).toContain('xml');
    expect(stub.requests).toHaveLength(0);
  });
});
