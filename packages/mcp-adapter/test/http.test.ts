/**
 * Raw HTTP behaviour of the Streamable HTTP endpoint: liberal acceptance, transport statuses,
 * protocol versions, DNS-rebinding protection, exposed-side auth, health and metrics.
 */
import http from 'node:http';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createMcpApp, McpAdapterError } from '../src/index.js';
import { SEED, SEED_TOOL, hasSeed, loadCapability, mcpAdapterOf, modern, parseText, post, result, stubConsumer } from './helpers.js';

function raw(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/mcp', headers: options.headers ?? {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe.skipIf(!hasSeed)('Streamable HTTP endpoint', () => {
  let app: FastifyInstance;
  let port: number;
  let base: string;
  let ready = true;
  const consumer = stubConsumer(() => result(200, { data: { token: 't' }, meta: {} }));

  beforeAll(async () => {
    app = await createMcpApp({ capability: loadCapability(SEED), consumer, isReady: () => ready, bodyLimit: 64 * 1024 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers a bare tools/call without initialize, session or Accept with plain JSON', async () => {
    const r = await raw(port, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: SEED_TOOL, arguments: { body: {} } } }),
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.text).result.structuredContent).toEqual({ data: { token: 't' }, meta: {} });
  });

  it('accepts a body without Content-Type and `Accept: application/json` only', async () => {
    const r = await raw(port, { headers: { accept: 'application/json' }, body: LIST });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).result.tools[0].name).toBe(SEED_TOOL);
  });

  it('serves POST / like POST /mcp', async () => {
    const a = await post(`${base}/`, JSON.parse(LIST));
    const b = await post(`${base}/mcp`, JSON.parse(LIST));
    expect(a.status).toBe(200);
    expect(a.json).toEqual(b.json);
  });

  it('answers GET and DELETE with 405 and Allow: POST (stateless)', async () => {
    for (const method of ['GET', 'DELETE']) {
      for (const path of ['/mcp', '/']) {
        const r = await raw(port, { method, path, headers: { accept: 'text/event-stream' } });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers['allow']).toBe('POST');
        expect(JSON.parse(r.text).error.message).toBe('Method not allowed.');
      }
    }
  });

  it('answers malformed JSON with 400 and a JSON-RPC parse error, no stack trace', async () => {
    const r = await raw(port, { headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null });
  });

  it('answers a body that is not JSON-RPC with 400 Invalid Request', async () => {
    const r = await post(`${base}/mcp`, { hello: 1 });
    expect(r.status).toBe(400);
    expect((r.json as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('refuses a non-JSON content type with 415 and an oversized body with 413', async () => {
    const a = await raw(port, { headers: { 'content-type': 'text/plain' }, body: LIST });
    expect(a.status).toBe(415);
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: SEED_TOOL, arguments: { body: { x: 'a'.repeat(100_000) } } } });
    const b = await raw(port, { headers: { 'content-type': 'application/json' }, body: big });
    expect(b.status).toBe(413);
    expect(JSON.parse(b.text).jsonrpc).toBe('2.0');
  });

  it.each(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'])('negotiates initialize at %s', async (version) => {
    const r = await post(`${base}/mcp`, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    expect(r.status).toBe(200);
    const res = (r.json as { result: { protocolVersion: string; capabilities: Record<string, unknown>; serverInfo: { name: string } } }).result;
    expect(res.protocolVersion).toBe(version);
    expect(res.capabilities).toHaveProperty('tools');
    expect(res.serverInfo.name).toBe(mcpAdapterOf(loadCapability(SEED)).namespace);
  });

  it('answers an unknown initialize version with the latest supported one', async () => {
    const r = await post(`${base}/mcp`, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2023-01-01', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    expect((r.json as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-11-25');
  });

  it('refuses an unsupported MCP-Protocol-Version header with 400', async () => {
    const r = await post(`${base}/mcp`, JSON.parse(LIST), { 'mcp-protocol-version': '1999-01-01' });
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toMatch(/Unsupported protocol version/);
  });

  it('serves the 2026-07-28 revision without initialize', async () => {
    const { body, headers } = modern('tools/call', { name: SEED_TOOL, arguments: { body: {} } });
    const r = await post(`${base}/mcp`, body, headers);
    expect(r.status).toBe(200);
    const res = (r.json as { result: Record<string, unknown> }).result;
    expect(res['resultType']).toBe('complete');
    expect(res['structuredContent']).toEqual({ data: { token: 't' }, meta: {} });
  });

  it('acknowledges notifications with 202 and answers batches (2025-03-26) with an array', async () => {
    const n = await post(`${base}/mcp`, { jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(n.status).toBe(202);
    expect(n.text).toBe('');
    const b = await post(`${base}/mcp`, [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]);
    expect(b.status).toBe(200);
    const arr = b.json as Array<{ id: number }>;
    expect(arr.map((x) => x.id)).toEqual([1, 2]);
  });

  it('keeps concurrent requests with the same JSON-RPC id apart', async () => {
    const rs = await Promise.all([
      post(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' }),
      post(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'resources/list' }),
      post(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'prompts/list' }),
    ]);
    expect(rs.map((r) => (r.json as { id: number }).id)).toEqual([1, 1, 1]);
    expect((rs[0]!.json as { result: unknown }).result).toEqual({});
  });

  describe('DNS rebinding protection (loopback)', () => {
    it('refuses a foreign Host header with 403', async () => {
      const r = await raw(port, { headers: { host: 'evil.example:80', 'content-type': 'application/json' }, body: LIST });
      expect(r.status).toBe(403);
    });

    it('refuses a foreign Origin with 403 and accepts a localhost one', async () => {
      const bad = await raw(port, { headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: LIST });
      expect(bad.status).toBe(403);
      const nul = await raw(port, { headers: { origin: 'null', 'content-type': 'application/json' }, body: LIST });
      expect(nul.status).toBe(403);
      const good = await raw(port, { headers: { origin: 'http://localhost:5173', host: `localhost:${port}`, 'content-type': 'application/json' }, body: LIST });
      expect(good.status).toBe(200);
    });

    it('never forwards a refused request upstream', async () => {
      const before = consumer.calls.length;
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: SEED_TOOL, arguments: { body: {} } } });
      const r = await raw(port, { headers: { host: 'attacker.example', 'content-type': 'application/json' }, body });
      expect(r.status).toBe(403);
      expect(consumer.calls.length).toBe(before);
    });
  });

  describe('health and metrics', () => {
    it('serves /healthz and /readyz', async () => {
      expect((await raw(port, { method: 'GET', path: '/healthz' })).status).toBe(200);
      ready = false;
      expect((await raw(port, { method: 'GET', path: '/readyz' })).status).toBe(503);
      ready = true;
      expect((await raw(port, { method: 'GET', path: '/readyz' })).status).toBe(200);
    });

    it('counts tool calls and latency by tool and outcome', async () => {
      await post(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: SEED_TOOL, arguments: { body: {} } } });
      await post(`${base}/mcp`, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: SEED_TOOL, arguments: { body: 1 } } });
      const m = await raw(port, { method: 'GET', path: '/metrics' });
      expect(m.status).toBe(200);
      expect(m.text).toMatch(new RegExp(`naftiko_mcp_tool_calls_total\\{tool="${SEED_TOOL}",outcome="success"\\} [1-9]`));
      expect(m.text).toMatch(new RegExp(`naftiko_mcp_tool_calls_total\\{tool="${SEED_TOOL}",outcome="invalid_arguments"\\} [1-9]`));
      expect(m.text).toMatch(/naftiko_mcp_tool_call_duration_seconds_bucket\{le="0.005",tool=/);
    });
  });
});

describe.skipIf(!hasSeed)('non-loopback binding', () => {
  it('validates Host against allowedHosts', async () => {
    const app = await createMcpApp({ capability: loadCapability(SEED), consumer: stubConsumer(() => result(200, {})), host: '0.0.0.0', allowedHosts: ['mcp.example.com'] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    try {
      expect((await raw(port, { headers: { host: 'mcp.example.com', 'content-type': 'application/json' }, body: LIST })).status).toBe(200);
      expect((await raw(port, { headers: { host: 'other.example.com', 'content-type': 'application/json' }, body: LIST })).status).toBe(403);
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!hasSeed)('exposed-side bearer authentication', () => {
  const TOKEN = 'mcp-client-token-0123456789';
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    const text = fs
      .readFileSync(SEED, 'utf8')
      .replace('    BIGCOMMERCE_API_KEY: BIGCOMMERCE_API_KEY', '    BIGCOMMERCE_API_KEY: BIGCOMMERCE_API_KEY\n    MCP_TOKEN: MCP_TOKEN')
      .replace('    port: 9090\n    transport: http\n', "    port: 9090\n    transport: http\n    authentication:\n      type: bearer\n      token: '{{env.MCP_TOKEN}}'\n");
    const capability = parseText(text, SEED);
    expect(mcpAdapterOf(capability).authentication?.type).toBe('bearer');
    app = await createMcpApp({ capability, consumer: stubConsumer(() => result(200, {})), env: { MCP_TOKEN: TOKEN } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers 401 with WWW-Authenticate: Bearer without or with a wrong token', async () => {
    for (const auth of [undefined, 'Bearer nope', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
      const r = await raw(port, { headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: LIST });
      expect(r.status, String(auth)).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(r.text).not.toContain(TOKEN);
    }
  });

  it('serves the request with the right token, and health without one', async () => {
    const r = await raw(port, { headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: LIST });
    expect(r.status).toBe(200);
    expect((await raw(port, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('refuses to start when the exposed token secret is missing, naming it', async () => {
    const text = fs
      .readFileSync(SEED, 'utf8')
      .replace('    BIGCOMMERCE_API_KEY: BIGCOMMERCE_API_KEY', '    BIGCOMMERCE_API_KEY: BIGCOMMERCE_API_KEY\n    MCP_TOKEN: MCP_TOKEN')
      .replace('    port: 9090\n    transport: http\n', "    port: 9090\n    transport: http\n    authentication:\n      type: bearer\n      token: '{{env.MCP_TOKEN}}'\n");
    const err = await createMcpApp({ capability: parseText(text, SEED), consumer: stubConsumer(() => result(200, {})), env: {} }).catch((e: unknown) => e);
    expect(McpAdapterError.isInstance(err)).toBe(true);
    expect(String((err as Error).message)).toContain('MCP_TOKEN');
  });
});

describe.skipIf(!hasSeed)('several adapters on one server', () => {
  it('merges tools and refuses a tool name declared twice, naming both sources', async () => {
    const a = loadCapability(SEED);
    const b = parseText(fs.readFileSync(SEED, 'utf8'), '/elsewhere/other.yaml');
    const consumer = stubConsumer(() => result(200, {}));
    const err = await createMcpApp({
      adapters: [
        { capability: a, adapter: mcpAdapterOf(a), consumer },
        { capability: b, adapter: mcpAdapterOf(b), consumer },
      ],
    }).catch((e: unknown) => e);
    expect(McpAdapterError.isInstance(err)).toBe(true);
    expect((err as McpAdapterError).code).toBe('MCP_DUPLICATE_NAME');
    expect((err as Error).message).toContain(SEED);
    expect((err as Error).message).toContain('/elsewhere/other.yaml');

    const renamed = parseText(fs.readFileSync(SEED, 'utf8').replace('- name: bigcommerce-create-token', '- name: other-token'), '/elsewhere/other.yaml');
    const app = await createMcpApp({
      adapters: [
        { capability: a, adapter: mcpAdapterOf(a), consumer },
        { capability: renamed, adapter: mcpAdapterOf(renamed), consumer },
      ],
    });
    try {
      const r = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', host: 'localhost' }, payload: LIST });
      expect(JSON.parse(r.body).result.tools.map((t: { name: string }) => t.name)).toEqual([SEED_TOOL, 'other-token']);
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!hasSeed)('2026-07-28 subscriptions/listen stream', () => {
  it('streams the acknowledgement over SSE and does not keep close() waiting', async () => {
    const app = await createMcpApp({ capability: loadCapability(SEED), consumer: stubConsumer(() => result(200, {})) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const { body, headers } = modern('subscriptions/listen', { notifications: { toolsListChanged: true } });
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: { ...headers, 'content-type': 'application/json' } });
    req.end(JSON.stringify(body));
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    const first = await new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
    expect(first).toContain('notifications/subscriptions/acknowledged');
    const ended = new Promise<void>((resolve) => res.on('end', resolve).on('error', () => resolve()).on('close', resolve));
    await app.close();
    await ended;
  });
});
