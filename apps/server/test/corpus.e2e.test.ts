/**
 * Serving the whole BigCommerce corpus (179 files, every one declaring REST 8080 and MCP 9090)
 * from one process: all adapters merged onto two listeners, every consumes block pointed at a
 * recording stub with --base-uri.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonType, McpAdapter, McpTool, RestAdapter, RestRoute, UrlTemplate } from '@naftiko-ts/spec';
import { loadCapabilities } from '../src/load.js';
import { planListeners } from '../src/plan.js';
import type { Plan } from '../src/plan.js';
import type { LoadedFile } from '../src/load.js';
import { mcpRpc, root, spawnCli, startRecordingStub } from './helpers.js';
import type { Cli } from './helpers.js';

const corpus = path.resolve(root, '../shared/corpus/bigcommerce');
const hasCorpus = existsSync(corpus);
if (!hasCorpus) console.warn(`${corpus} not found: corpus serving tests skipped`);

describe.skipIf(!hasCorpus)('naftiko-ts serve ../shared/corpus/bigcommerce', { timeout: 120_000 }, () => {
  let stub: Awaited<ReturnType<typeof startRecordingStub>>;
  let files: LoadedFile[];
  let baseUriArgs: string[];

  beforeAll(async () => {
    stub = await startRecordingStub();
    files = loadCapabilities([corpus]);
    baseUriArgs = files.flatMap((f) => f.capability!.consumes.flatMap((c) => ['--base-uri', `${c.namespace}=${stub.url}/${c.namespace}`]));
  });
  afterAll(async () => {
    await stub?.close();
  });

  it('by default refuses to merge colliding routes/tools, naming both files (exit 2)', async () => {
    const cli = spawnCli(['serve', corpus, ...baseUriArgs, '--rest-port', '0', '--mcp-port', '0'], { BIGCOMMERCE_API_KEY: 'k' });
    const exit = await cli.exit;
    expect(exit.code).toBe(2);
    const err = cli.stderr();
    expect(err).toContain('adapters cannot share their listeners');
    expect(err).toMatch(/route `POST \/v1\/carts` is served by both \S*carts-carts-single\.yaml and \S*storefront-carts-cart\.yaml/);
    expect(err).toMatch(/tool `bigcommerce-create-token` is served by both \S*storefront-token-api-token\.yaml and \S*storefront-token-customer-impersonation-token\.yaml/);
    expect(err).toContain('--on-conflict rename');
    expect(err).not.toContain('listening on');
  });

  describe('with --on-conflict rename', () => {
    let cli: Cli;
    let rest: string;
    let mcp: string;
    let plan: Plan;

    beforeAll(async () => {
      plan = planListeners(
        files.map((f) => ({ file: f.file, capability: f.capability! })),
        { restPort: 0, mcpPort: 0, onConflict: 'rename' },
      );
      // The files declare 8080/9090; tests bind free ports, and all adapters still merge onto one per kind.
      cli = spawnCli(['serve', corpus, ...baseUriArgs, '--on-conflict', 'rename', '--rest-port', '0', '--mcp-port', '0'], {
        BIGCOMMERCE_API_KEY: 'corpus-test-key',
        STORE_HASH: 'corpus-store',
        BIGCOMMERCE_USER: 'corpus-user',
        BIGCOMMERCE_PASS: 'corpus-pass',
      });
      ({ rest, mcp } = (await cli.ready()) as { rest: string; mcp: string });
    }, 120_000);

    afterAll(async () => {
      if (cli) {
        cli.child.kill('SIGTERM');
        await cli.exit;
      }
    });

    it('starts all 179 capabilities on exactly two listeners', () => {
      expect(files).toHaveLength(179);
      const err = cli.stderr();
      expect(err.match(/REST listening on /g)).toHaveLength(1);
      expect(err.match(/MCP listening on /g)).toHaveLength(1);
      expect(plan.listeners.map((l) => [l.kind, l.adapters.length])).toEqual([
        ['rest', 179],
        ['mcp', 179],
      ]);
    });

    it('serves every route (OpenAPI) and every tool (tools/list), colliding ones renamed', async () => {
      const routes = plan.listeners[0]!.adapters.flatMap((a) => (a.adapter as RestAdapter).routes);
      const tools = plan.listeners[1]!.adapters.flatMap((a) => (a.adapter as McpAdapter).tools);
      expect(routes.length).toBe(548);
      expect(tools.length).toBe(548);
      const openapi = (await (await fetch(`${rest}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const builtIn = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);
      const operations = Object.entries(openapi.paths)
        .filter(([p]) => !builtIn.has(p))
        .flatMap(([p, item]) => Object.keys(item).filter((k) => /^(get|put|post|patch|delete|head|options)$/.test(k)).map((k) => `${k.toUpperCase()} ${p}`));
      expect(operations.length).toBe(548);
      expect(new Set(operations)).toEqual(new Set(routes.map((r) => `${r.method} ${r.path.raw}`)));
      expect(Object.keys(openapi.paths)).toContain('/v1/carts');
      const listed = await mcpRpc(mcp, 'tools/list', {});
      const names = (listed.result.tools as Array<{ name: string }>).map((t) => t.name);
      expect(names.length).toBe(548);
      expect(new Set(names).size).toBe(548);
      expect(names).toContain('bigcommerce-create-token');
      expect(names).toContain('bigcommerce-create-token_2');
      for (const n of names) expect(n.length).toBeLessThanOrEqual(64);
      expect(plan.renames.some((r) => r.kind === 'route')).toBe(true);
    });

    it('answers a sample of routes, each reaching its own consumes block', async () => {
      const entries = plan.listeners[0]!.adapters.filter((_, i) => i % 20 === 0);
      expect(entries.length).toBeGreaterThanOrEqual(9);
      const renamed = plan.listeners[0]!.adapters
        .flatMap((a) => (a.adapter as RestAdapter).routes.map((route) => ({ a, route })))
        .find(({ route }) => route.path.raw.startsWith('/storefront-'));
      const samples = [...entries.map((a) => ({ a, route: (a.adapter as RestAdapter).routes[0]! })), renamed!];
      for (const { a, route } of samples) {
        const before = stub.requests.length;
        const { url, init } = restRequest(rest, route);
        const res = await fetch(url, init);
        expect(res.status, `${route.method} ${route.path.raw} (${a.file}): ${await res.clone().text()}`).toBe(200);
        const got = stub.requests.slice(before);
        expect(got).toHaveLength(1);
        const consumed = route.call!.consumed;
        expect(got[0]!.method).toBe(consumed.method);
        expect(got[0]!.url.startsWith(`/${consumed.namespace}${staticPrefix(consumed.path)}`), got[0]!.url).toBe(true);
        const auth = a.capability.consumes.find((c) => c.namespace === consumed.namespace)!.authentication;
        if (auth?.type === 'apikey' && auth.placement === 'header') expect(got[0]!.headers[auth.key.toLowerCase()]).toBe('corpus-test-key');
        else if (auth) expect(got[0]!.headers.authorization, `${a.file}: ${auth.type}`).toBeDefined();
      }
    });

    it('answers a sample of tools, the renamed twin reaching the other file', async () => {
      const all = plan.listeners[1]!.adapters.flatMap((a) => (a.adapter as McpAdapter).tools);
      const samples = [
        ...all.filter((_, i) => i % 60 === 0),
        all.find((t) => t.name === 'bigcommerce-create-token')!,
        all.find((t) => t.name === 'bigcommerce-create-token_2')!,
      ];
      for (const tool of samples) {
        const before = stub.requests.length;
        const reply = await mcpRpc(mcp, 'tools/call', { name: tool.name, arguments: argumentsFor(tool) });
        expect(reply.result?.isError, `${tool.name}: ${JSON.stringify(reply)}`).toBeFalsy();
        const got = stub.requests.slice(before);
        expect(got).toHaveLength(1);
        const consumed = tool.call!.consumed;
        expect(got[0]!.method).toBe(consumed.method);
        expect(got[0]!.url.startsWith(`/${consumed.namespace}${staticPrefix(consumed.path)}`), got[0]!.url).toBe(true);
      }
      const twins = stub.requests.slice(-2).map((r) => r.url);
      expect(twins[0]).toContain('/storefront/api-token');
      expect(twins[1]).toContain('/storefront/api-token-customer-impersonation');
      expect(twins[0]).not.toBe(twins[1]);
    });
  });
});

function sampleValue(type: JsonType): unknown {
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'object':
      return {};
    case 'array':
      return [];
    default:
      return 'x1';
  }
}

function staticPrefix(path: UrlTemplate): string {
  const prefix: string[] = [];
  for (const p of path.parts) {
    if (p.kind !== 'text') break;
    prefix.push(p.text);
  }
  return prefix.join('');
}

function restRequest(base: string, route: RestRoute): { url: string; init: RequestInit } {
  const values: Record<string, unknown> = {};
  for (const input of route.inputs) if (input.required || input.in === 'path') values[input.name] = sampleValue(input.type);
  const pathText = route.path.parts.map((p) => (p.kind === 'text' ? p.text : encodeURIComponent(String(values[p.name] ?? 'x1')))).join('');
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  let body: string | undefined;
  for (const input of route.inputs) {
    if (!(input.name in values)) continue;
    if (input.in === 'query') query.set(input.name, String(values[input.name]));
    if (input.in === 'header') headers[input.name] = String(values[input.name]);
    if (input.in === 'body') body = JSON.stringify(input.name === 'body' ? values[input.name] : { [input.name]: values[input.name] });
  }
  if (body === undefined && ['POST', 'PUT', 'PATCH'].includes(route.method)) body = '{}';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const qs = query.toString();
  return { url: `${base}${pathText}${qs ? `?${qs}` : ''}`, init: { method: route.method, headers, ...(body !== undefined ? { body } : {}) } };
}

function argumentsFor(tool: McpTool): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const input of tool.inputs) if (input.required) args[input.name] = sampleValue(input.type);
  return args;
}
