/**
 * Every capability of the BigCommerce corpus: `tools/list` succeeds, names fit in 64 characters,
 * every tool whose call needs inputs has a non-empty input schema, and `tools/call` builds the
 * right upstream request (real consumer, recording stub upstream on loopback).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { createConsumer } from '@naftiko-ts/consumer';
import type { Capability, JsonSchema, McpTool } from '@naftiko-ts/spec';
import { createMcpApp } from '../src/index.js';
import { hasShared, loadCapability, shared } from './helpers.js';

const CORPUS = path.join(shared, 'corpus/bigcommerce');
const files = hasShared && fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).sort() : [];
if (hasShared && files.length === 0) console.warn(`${CORPUS} not found: corpus tests skipped`);

type Recorded = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

function sample(schema: JsonSchema, seed: string): unknown {
  switch (schema['type']) {
    case 'integer':
      return 7;
    case 'number':
      return 2.5;
    case 'boolean':
      return true;
    case 'object':
      return { k: seed };
    case 'array': {
      const items = (schema['items'] ?? {}) as JsonSchema;
      return [sample(items, `${seed}a`), sample(items, `${seed}b`)];
    }
    default:
      return `v-${seed}`;
  }
}

function argsFor(tool: McpTool): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  tool.inputs.forEach((input, i) => {
    args[input.name] = sample(input.schema, String(i));
  });
  return args;
}

/** What the upstream request must look like, computed from the model alone. */
function expected(tool: McpTool, args: Record<string, unknown>) {
  const call = tool.call!;
  const op = call.consumed;
  const inputFor = (consumedName: string): unknown => {
    const w = call.with[consumedName];
    if (w && w.kind === 'input') return args[w.name];
    if (consumedName in args) return args[consumedName];
    const key = Object.keys(args).find((k) => k.toLowerCase() === consumedName.toLowerCase());
    return key === undefined ? undefined : args[key];
  };
  let pathname = '';
  for (const part of op.path.parts) pathname += part.kind === 'text' ? part.text : encodeURIComponent(String(inputFor(part.name)));
  const query: Array<[string, string[]]> = [];
  const headers: Array<[string, string]> = [];
  const body: Record<string, unknown> = {};
  let bodyCount = 0;
  for (const p of op.parameters) {
    const v = inputFor(p.name);
    if (v === undefined) continue;
    // A query parameter named like a path placeholder fills the placeholder (corpus quirk).
    if (p.in === 'query' && op.path.variables.includes(p.name)) continue;
    if (p.in === 'query') query.push([p.name, Array.isArray(v) ? v.map(String) : [typeof v === 'object' ? JSON.stringify(v) : String(v)]]);
    else if (p.in === 'header') headers.push([p.name.toLowerCase(), String(v)]);
    else if (p.in === 'body') {
      body[p.name] = v;
      bodyCount++;
    }
  }
  const jsonBody = bodyCount === 0 ? undefined : bodyCount === 1 && 'body' in body ? body['body'] : body;
  return { method: op.method, pathname, query, headers, jsonBody };
}

describe.skipIf(files.length === 0)('BigCommerce corpus', () => {
  let upstream: http.Server;
  let base: string;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { ok: true }, meta: {} }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => upstream.close(r));
  });

  it.each(files)('%s', async (file) => {
    const capability: Capability = loadCapability(path.join(CORPUS, file));
    const env: Record<string, string> = {};
    for (const b of capability.binds) for (const source of Object.values(b.keys)) env[source] = 'corpus-secret-value';
    const overrides: Record<string, string> = {};
    const vars: Record<string, string> = {};
    for (const c of capability.consumes) {
      overrides[c.namespace] = c.baseUri.raw.replace(/^https?:\/\/[^/]+/, base);
      for (const v of c.baseUri.variables) vars[v] = 'store1';
    }
    const consumer = createConsumer({ capability, env, vars, baseUriOverrides: overrides, retry: { max: 0 } });
    const app = await createMcpApp({ capability, consumer });
    try {
      const inject = async (body: unknown) => {
        const r = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', host: 'localhost' }, payload: JSON.stringify(body) });
        expect(r.statusCode).toBe(200);
        return JSON.parse(r.body) as { result?: Record<string, unknown>; error?: unknown };
      };
      const list = await inject({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      const listed = (list.result!['tools'] as Array<{ name: string; inputSchema: { properties?: Record<string, unknown> } }>);
      const mcp = capability.exposes.filter((e) => e.type === 'mcp').flatMap((e) => (e.type === 'mcp' ? e.tools : []));
      expect(listed.map((t) => t.name)).toEqual(mcp.map((t) => t.name));

      for (const tool of mcp) {
        expect(tool.name.length).toBeLessThanOrEqual(64);
        const op = tool.call!.consumed;
        const needsInputs = op.path.variables.length > 0 || Object.keys(tool.call!.with).length > 0 || op.parameters.some((p) => p.required);
        const props = Object.keys(listed.find((t) => t.name === tool.name)!.inputSchema.properties ?? {});
        if (needsInputs) expect(props.length, `${tool.name} input schema`).toBeGreaterThan(0);

        const args = argsFor(tool);
        const before = recorded.length;
        const r = await inject({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: tool.name, arguments: args } });
        expect(r.result?.['isError'], `${tool.name}: ${JSON.stringify(r.result?.['content'])}`).toBeFalsy();
        expect(recorded.length).toBe(before + 1);
        const got = recorded[recorded.length - 1]!;
        const want = expected(tool, args);
        const url = new URL(got.url, base);
        const basePath = new URL(overrides[tool.call!.namespace]!.replace('{store_hash}', 'store1')).pathname.replace(/\/$/, '');
        expect(got.method).toBe(want.method);
        expect(url.pathname).toBe(basePath + want.pathname);
        for (const [k, v] of want.query) expect(url.searchParams.getAll(k), `${tool.name} query ${k}`).toEqual(v);
        for (const [k, v] of want.headers) expect(got.headers[k], `${tool.name} header ${k}`).toBe(v);
        if (want.jsonBody !== undefined) expect(JSON.parse(got.body), `${tool.name} body`).toEqual(want.jsonBody);
        const auth = capability.consumes.find((c) => c.namespace === tool.call!.namespace)?.authentication;
        if (auth?.type === 'apikey' && auth.placement === 'header') expect(got.headers[auth.key.toLowerCase()]).toBe('corpus-secret-value');
        if (auth?.type === 'bearer') expect(got.headers['authorization']).toBe('Bearer corpus-secret-value');
      }
    } finally {
      await app.close();
      await consumer.close();
    }
  });
});

describe.skipIf(files.length === 0)('a DELETE answered 204 through the real consumer', () => {
  it('is a success with no content, not an output-schema error', async () => {
    const upstream = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const capability = loadCapability(path.join(CORPUS, 'carts-items.yaml'));
    const ns = capability.consumes[0]!.namespace;
    const consumer = createConsumer({
      capability,
      env: { BIGCOMMERCE_API_KEY: 'k' },
      vars: { store_hash: 's' },
      baseUriOverrides: { [ns]: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/stores/{store_hash}/v3` },
    });
    const app = await createMcpApp({ capability, consumer });
    try {
      const tool = capability.exposes.flatMap((e) => (e.type === 'mcp' ? e.tools : [])).find((t) => t.call?.consumed.method === 'DELETE')!;
      expect(tool.outputSchema).toBeDefined();
      const r = await app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { 'content-type': 'application/json', host: 'localhost' },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool.name, arguments: argsFor(tool) } },
      });
      const res = JSON.parse(r.body).result;
      expect(res.isError).toBeUndefined();
      expect(res.content[0].text).toMatch(/HTTP 204 with no content/);
    } finally {
      await app.close();
      await consumer.close();
      await new Promise((r) => upstream.close(r));
    }
  });
});
