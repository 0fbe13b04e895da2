/**
 * Differential tests: the same requests through the hot path and through the SDK (an app built
 * with `hotPath: false`) must give the same HTTP status, content type and JSON-RPC response, in
 * every protocol era, with and without `Accept`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { ConsumerError } from '@naftiko-ts/consumer';
import { createMcpApp, createToolRegistry, HotPath, type McpHeaders } from '../src/index.js';
import { serverIdentity } from '../src/app.js';
import { MODERN, SEED, SEED_TOOL, hasSeed, loadCapability, mcpAdapterOf, modern, post, result, stubConsumer, type Invocation } from './helpers.js';

const SECRET = 'sk-differential-secret-123';

function respond(inv: Invocation) {
  const body = (inv.inputs['body'] ?? {}) as Record<string, unknown>;
  switch (body['mode']) {
    case '422':
      throw new ConsumerError('UPSTREAM_STATUS', 'The upstream responded with status 422.', {
        status: 422,
        raw: Buffer.from('{"status":422,"title":"The following fields are invalid: expires_at","errors":{"expires_at":"required"}}'),
      });
    case '401':
      throw new ConsumerError('UPSTREAM_STATUS', 'The upstream responded with status 401.', { status: 401, raw: Buffer.from(`{"title":"bad token ${SECRET}"}`) });
    case '429':
      throw new ConsumerError('UPSTREAM_STATUS', 'The upstream responded with status 429.', {
        status: 429,
        headers: { 'x-rate-limit-time-reset-ms': '12500', 'x-rate-limit-requests-left': '0' },
        raw: Buffer.from('{"status":429,"title":"Too many requests"}'),
      });
    case '500':
      return result(500, { status: 500, title: 'Internal Server Error' });
    case 'timeout':
      throw new ConsumerError('CONSUMER_TIMEOUT', 'No response headers within 30000 ms.');
    case 'connect':
      throw new ConsumerError('CONSUMER_CONNECT', 'Connection refused.');
    case 'boom':
      throw new Error(`unexpected ${SECRET}`);
    case 'array':
      return result(200, [1, 2, 3]);
    case 'empty':
      return result(204, undefined);
    case 'pretty':
      return result(200, '{\n  "data" : { "n": 1.0, "s": "\\u00e9\\u2028" },\n  "meta": {}\n}\n');
    default:
      return result(200, { data: { token: 'eyJ.x.y', echo: body }, meta: {} });
  }
}

type Case = {
  name: string;
  body: unknown;
  headers?: Record<string, string>;
  /** The hot path is expected to answer this one itself. */
  hot: boolean;
};

const call = (args: unknown, id: number | string = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: SEED_TOOL, arguments: args } });

function legacyCases(): Case[] {
  const acceptBoth = { accept: 'application/json, text/event-stream' };
  const acceptJson = { accept: 'application/json' };
  const pv = (v: string) => ({ 'mcp-protocol-version': v });
  return [
    { name: 'tools/list bare', body: { jsonrpc: '2.0', id: 1, method: 'tools/list' }, hot: true },
    { name: 'tools/list Accept json only', body: { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: {} }, headers: acceptJson, hot: true },
    { name: 'tools/list Accept both + 2025-06-18', body: { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers: { ...acceptBoth, ...pv('2025-06-18') }, hot: true },
    { name: 'tools/list with cursor', body: { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'x' } }, hot: false },
    { name: 'tools/call ok', body: call({ body: { expires_at: 1 } }), hot: true },
    { name: 'tools/call ok, non-canonical upstream JSON spliced', body: call({ body: { mode: 'pretty' } }), hot: true },
    { name: 'tools/call ok, string id, 2025-03-26', body: call({ body: { a: 1 } }, 'req-1'), headers: { ...acceptBoth, ...pv('2025-03-26') }, hot: true },
    { name: 'tools/call without arguments', body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: SEED_TOOL } }, hot: true },
    { name: 'tools/call with progressToken', body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: SEED_TOOL, arguments: {}, _meta: { progressToken: 5 } } }, hot: true },
    { name: 'tools/call wrong type', body: call({ body: 'text' }), hot: true },
    { name: 'tools/call unknown argument', body: call({ nope: 1 }), headers: acceptJson, hot: true },
    { name: 'tools/call unknown tool', body: { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'nope', arguments: {} } }, hot: true },
    { name: 'tools/call upstream 422', body: call({ body: { mode: '422' } }), hot: true },
    { name: 'tools/call upstream 401', body: call({ body: { mode: '401' } }), hot: true },
    { name: 'tools/call upstream 500', body: call({ body: { mode: '500' } }), hot: true },
    { name: 'tools/call upstream 429', body: call({ body: { mode: '429' } }), hot: true },
    { name: 'tools/call timeout', body: call({ body: { mode: 'timeout' } }), hot: true },
    { name: 'tools/call connection refused', body: call({ body: { mode: 'connect' } }), hot: true },
    { name: 'tools/call internal failure', body: call({ body: { mode: 'boom' } }), hot: true },
    { name: 'tools/call non-object result vs output schema', body: call({ body: { mode: 'array' } }), hot: true },
    { name: 'tools/call empty 204 body', body: call({ body: { mode: 'empty' } }), hot: true },
    { name: 'tools/call arguments not an object', body: { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: SEED_TOOL, arguments: [1] } }, hot: false },
    { name: 'tools/call name missing', body: { jsonrpc: '2.0', id: 6, method: 'tools/call', params: {} }, hot: false },
    { name: 'tools/call unsupported protocol header', body: call({}), headers: pv('1999-01-01'), hot: false },
    { name: 'ping', body: { jsonrpc: '2.0', id: 9, method: 'ping' }, hot: false },
    { name: 'unknown method', body: { jsonrpc: '2.0', id: 9, method: 'nope/nope' }, hot: false },
    { name: 'notification', body: { jsonrpc: '2.0', method: 'notifications/initialized' }, hot: false },
    { name: 'not JSON-RPC', body: { hello: 'world' }, hot: false },
  ];
}

function modernCases(): Case[] {
  const m = (method: string, params: Record<string, unknown>, id: number | string = 1) => modern(method, params, id);
  const list = m('tools/list', {});
  const ok = m('tools/call', { name: SEED_TOOL, arguments: { body: { a: 1 } } });
  const noAccept = { ...ok.headers };
  delete (noAccept as Record<string, string>)['accept'];
  const noName = { ...ok.headers };
  delete (noName as Record<string, string>)['mcp-name'];
  const c = (args: unknown, id = 2) => m('tools/call', { name: SEED_TOOL, arguments: args }, id);
  return [
    { name: 'tools/list', body: list.body, headers: list.headers, hot: true },
    { name: 'tools/call ok', body: ok.body, headers: ok.headers, hot: true },
    { name: 'tools/call ok without Accept', body: ok.body, headers: noAccept, hot: true },
    { name: 'tools/call invalid arguments', ...wrap(c({ body: 5 })), hot: true },
    { name: 'tools/call non-canonical upstream JSON spliced', ...wrap(c({ body: { mode: 'pretty' } })), hot: true },
    { name: 'tools/call upstream 422', ...wrap(c({ body: { mode: '422' } })), hot: true },
    { name: 'tools/call timeout', ...wrap(c({ body: { mode: 'timeout' } })), hot: true },
    { name: 'tools/call non-object result', ...wrap(c({ body: { mode: 'array' } })), hot: true },
    { name: 'tools/call unknown tool', ...wrap(m('tools/call', { name: 'nope', arguments: {} })), hot: true },
    { name: 'tools/call missing Mcp-Name header', body: ok.body, headers: noName, hot: false },
    { name: 'tools/call header/body method mismatch', body: ok.body, headers: { ...ok.headers, 'mcp-method': 'tools/list' }, hot: false },
    { name: 'tools/list without protocol header', body: list.body, headers: { 'mcp-method': 'tools/list' }, hot: false },
    { name: 'server/discover', ...wrap(m('server/discover', {})), hot: false },
    { name: 'unsupported modern revision', body: { ...list.body, params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01', 'io.modelcontextprotocol/clientCapabilities': {} } } }, headers: { ...list.headers, 'mcp-protocol-version': '2099-01-01' }, hot: false },
  ];
}

function wrap(r: { body: unknown; headers: Record<string, string> }) {
  return { body: r.body, headers: r.headers };
}

function headersOf(h: Record<string, string> | undefined): McpHeaders {
  return { protocolVersion: h?.['mcp-protocol-version'], mcpMethod: h?.['mcp-method'], mcpName: h?.['mcp-name'] };
}

/** Drop what legitimately differs between two server processes (nothing, today) and compare. */
function comparable(r: { status: number; headers: Headers; json: unknown; text: string }) {
  return { status: r.status, contentType: (r.headers.get('content-type') ?? '').split(';')[0], body: r.json ?? r.text };
}

describe.skipIf(!hasSeed)('hot path ≡ SDK', () => {
  let hotApp: FastifyInstance;
  let sdkApp: FastifyInstance;
  let hotUrl: string;
  let sdkUrl: string;
  let hot: HotPath;
  const logs: string[] = [];

  beforeAll(async () => {
    const capability = loadCapability(SEED);
    const consumer = stubConsumer(respond, [SECRET]);
    const log = (level: string) => (obj: object, msg?: string) => void logs.push(JSON.stringify({ level, ...obj, msg }));
    hotApp = await createMcpApp({ capability, consumer, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } });
    sdkApp = await createMcpApp({ capability, consumer, hotPath: false });
    await hotApp.listen({ port: 0, host: '127.0.0.1' });
    await sdkApp.listen({ port: 0, host: '127.0.0.1' });
    hotUrl = `http://127.0.0.1:${(hotApp.server.address() as AddressInfo).port}/mcp`;
    sdkUrl = `http://127.0.0.1:${(sdkApp.server.address() as AddressInfo).port}/mcp`;
    const entries = [{ capability, adapter: mcpAdapterOf(capability), consumer }];
    hot = new HotPath(createToolRegistry(entries), serverIdentity(entries));
  });

  afterAll(async () => {
    await hotApp?.close();
    await sdkApp?.close();
  });

  it('logs internal failures without the secret values', async () => {
    await post(hotUrl, call({ body: { mode: 'boom' } }));
    const all = logs.join('\n');
    expect(all).toContain('tool call failed');
    expect(all).toContain('[REDACTED]');
    expect(all).not.toContain(SECRET);
  });

  describe.each([
    ['2025 era (initialize-based revisions)', legacyCases()],
    [`${MODERN} era`, modernCases()],
  ])('%s', (_era, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const taken = hot.answer(c.body, headersOf(c.headers)) !== undefined;
      expect(taken, 'hot path coverage').toBe(c.hot);
      const [a, b] = await Promise.all([post(hotUrl, c.body, c.headers), post(sdkUrl, c.body, c.headers)]);
      expect(comparable(a)).toEqual(comparable(b));
      expect(a.status).not.toBe(406);
      expect(a.text).not.toContain(SECRET);
      expect(a.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    });
  });
});

describe.skipIf(!hasSeed)('hot path ≡ SDK for an adapter without tools', () => {
  it('defers to the SDK (no tools capability)', async () => {
    const capability = loadCapability(SEED);
    const adapter = { ...mcpAdapterOf(capability), tools: [] };
    const consumer = stubConsumer(respond);
    const apps = await Promise.all([
      createMcpApp({ adapters: [{ capability, adapter, consumer }] }),
      createMcpApp({ adapters: [{ capability, adapter, consumer }], hotPath: false }),
    ]);
    try {
      const [a, b] = await Promise.all(
        apps.map((app) =>
          app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', host: 'localhost' }, payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }),
        ),
      );
      expect(a!.statusCode).toBe(b!.statusCode);
      expect(JSON.parse(a!.body)).toEqual(JSON.parse(b!.body));
      expect(JSON.parse(a!.body).error.code).toBe(-32601);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });
});

describe.skipIf(!hasSeed)('empty upstream bodies', () => {
  it('reports a 204 as success with no content, not as an output-schema error', async () => {
    const capability = loadCapability(SEED);
    const app = await createMcpApp({ capability, consumer: stubConsumer(() => result(204, undefined)) });
    try {
      const r = await app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { 'content-type': 'application/json', host: 'localhost' },
        payload: call({ body: {} }),
      });
      const res = JSON.parse(r.body).result;
      expect(res.isError).toBeUndefined();
      expect(res.structuredContent).toEqual({});
      expect(res.content[0].text).toMatch(/HTTP 204 with no content/);
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!hasSeed)('upstream error texts', () => {
  it('gives the status, the body and a retry hint on 429', async () => {
    const app = await createMcpApp({ capability: loadCapability(SEED), consumer: stubConsumer(respond, [SECRET]) });
    try {
      const text = async (mode: string) => {
        const r = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', host: 'localhost' }, payload: call({ body: { mode } }) });
        const res = JSON.parse(r.body).result;
        expect(res.isError).toBe(true);
        return res.content[0].text as string;
      };
      expect(await text('429')).toBe('Upstream API returned HTTP 429. Retry after 13 s. Upstream response: {"status":429,"title":"Too many requests"}');
      expect(await text('422')).toMatch(/^Upstream API returned HTTP 422\. Upstream response: .*expires_at/);
      const unauthorized = await text('401');
      expect(unauthorized).toMatch(/HTTP 401\. Check the secret `BIGCOMMERCE_API_KEY` \(its value is not shown\)/);
      expect(unauthorized).toContain('[REDACTED]');
      expect(unauthorized).not.toContain(SECRET);
    } finally {
      await app.close();
    }
  });
});
