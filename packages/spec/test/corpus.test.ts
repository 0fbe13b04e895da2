import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEVIATION_CODES, formatDiagnostics, parseCapability } from '../src/index.js';
import type { Capability, McpAdapter, RestAdapter } from '../src/index.js';
import { corpusDir, corpusFiles, hasShared, read, seedFile } from './helpers.js';

type Raw = Record<string, any>;

const placeholders = (p: string): string[] => [...p.matchAll(/\{\{?\s*([^{}]+?)\s*\}?\}/g)].map((m) => m[1] as string);

/** Expected counts computed straight from the raw YAML, independently of the model. */
function expectedCounts(doc: Raw) {
  const cap = doc['capability'] as Raw;
  const ops = new Map<string, { path: string; params: Raw[] }>();
  let consumed = 0;
  for (const c of cap['consumes'] ?? []) {
    for (const r of c.resources ?? []) {
      for (const o of r.operations ?? []) {
        consumed++;
        ops.set(`${c.namespace}.${o.name}`, { path: r.path, params: [...(c.inputParameters ?? []), ...(r.inputParameters ?? []), ...(o.inputParameters ?? [])] });
      }
    }
  }
  const refs = (w: Raw | undefined, prefix: string): string[] =>
    Object.values(w ?? {}).flatMap((v) => (typeof v === 'string' && v.startsWith(prefix) ? [v.slice(prefix.length)] : []));
  const implicit = (target: string, w: Raw | undefined, skip: string[]): string[] => {
    const op = ops.get(target);
    if (!op) return [];
    const withKeys = Object.keys(w ?? {});
    const out = placeholders(op.path).filter((v) => !withKeys.includes(v) && !skip.includes(v.toLowerCase()));
    for (const p of op.params) {
      if (['query', 'header', 'body'].includes(p.in) && !withKeys.includes(p.name) && p.value === undefined) out.push(p.name);
    }
    return out;
  };
  const routes: number[] = [];
  const tools: number[] = [];
  for (const e of cap['exposes'] ?? []) {
    if (e.type === 'rest') {
      for (const r of e.resources ?? []) {
        for (const o of r.operations ?? []) {
          const routeVars = placeholders(r.path);
          const names = new Set([...routeVars, ...refs(o.with, 'rest.'), ...implicit(o.call, o.with, routeVars.map((v) => v.toLowerCase()))]);
          routes.push(names.size);
        }
      }
    }
    if (e.type === 'mcp') {
      for (const t of e.tools ?? []) {
        const names = new Set([...(t.inputParameters ?? []).map((p: Raw) => p.name), ...refs(t.with, 'tools.'), ...implicit(t.call, t.with, [])]);
        tools.push(names.size);
      }
    }
  }
  return { consumed, routes, tools };
}

function actualCounts(cap: Capability) {
  const rest = cap.exposes.filter((e): e is RestAdapter => e.type === 'rest');
  const mcp = cap.exposes.filter((e): e is McpAdapter => e.type === 'mcp');
  return {
    consumed: cap.consumes.reduce((n, c) => n + c.operations.length, 0),
    routes: rest.flatMap((a) => a.routes.map((r) => r.inputs.length)),
    tools: mcp.flatMap((a) => a.tools.map((t) => t.inputs.length)),
  };
}

describe.skipIf(!hasShared)('BigCommerce corpus (lenient mode)', () => {
  const files = corpusFiles();

  it('has the 179 files', () => {
    expect(files).toHaveLength(179);
  });

  it.each(files)('%s loads with zero errors and the right counts', (file) => {
    const text = read(path.join(corpusDir, file));
    const { capability, diagnostics } = parseCapability(text, { source: file });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(formatDiagnostics(errors)).toBe('');
    expect(capability).toBeDefined();
    const cap = capability as Capability;
    expect(actualCounts(cap)).toEqual(expectedCounts(parseYaml(text) as Raw));
    // Every exposed operation and tool resolved its call.
    for (const e of cap.exposes) {
      if (e.type === 'rest') for (const r of e.routes) expect(r.call?.consumed).toBe(cap.operations.get(r.call?.target ?? ''));
      if (e.type === 'mcp') for (const t of e.tools) expect(t.call?.consumed).toBeDefined();
    }
    // baseUri variables are exactly the placeholders of the raw baseUri.
    for (const c of cap.consumes) {
      const raw = ((parseYaml(text) as Raw)['capability'].consumes as Raw[]).find((x) => x.namespace === c.namespace);
      expect(c.baseUri.variables).toEqual(placeholders(raw?.baseUri ?? ''));
      expect(c.baseUri.raw.endsWith('/')).toBe(false);
    }
  });

  it('keeps warnings to a handful per file (one per deviation kind and block)', () => {
    let total = 0;
    for (const file of files) {
      const { diagnostics } = parseCapability(read(path.join(corpusDir, file)), { source: file });
      const keys = diagnostics.filter((d) => DEVIATION_CODES.has(d.code)).map((d) => `${d.code} ${d.pointer.split('/').slice(0, 4).join('/')}`);
      expect(new Set(keys).size, file).toBe(keys.length);
      total += diagnostics.length;
    }
    expect(total / files.length).toBeLessThan(8);
  });
});

describe.skipIf(!hasShared)('pinned examples', () => {
  it('seed: 1 route, 1 tool, body inputs', () => {
    const { capability, diagnostics } = parseCapability(read(seedFile), { source: 'seed.yaml' });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const cap = capability as Capability;
    const rest = cap.exposes[0] as RestAdapter;
    const mcp = cap.exposes[1] as McpAdapter;
    expect(rest.routes).toHaveLength(1);
    expect(mcp.tools).toHaveLength(1);
    const route = rest.routes[0]!;
    expect(route.method).toBe('POST');
    expect(route.path.raw).toBe('/v1/storefront/api-token-customer-impersonation');
    expect(route.inputs).toEqual([
      { name: 'body', in: 'body', type: 'object', required: false, description: 'Request body (JSON).', schema: { type: 'object', description: 'Request body (JSON).' }, origin: 'with' },
    ]);
    expect(route.output).toEqual({ kind: 'passthrough', type: 'object' });
    expect(route.call?.with).toEqual({ body: { kind: 'input', name: 'body', raw: 'rest.body' } });
    const tool = mcp.tools[0]!;
    expect(tool.inputs[0]).toMatchObject({ name: 'body', in: 'argument', type: 'object', description: 'Request body (JSON).' });
    expect(tool.inputSchema).toEqual({
      type: 'object',
      properties: { body: { type: 'object', description: 'Request body (JSON).' } },
      additionalProperties: false,
    });
    expect(tool.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(tool.outputSchema).toEqual({ type: 'object' });
    expect(cap.baseUriVariables).toEqual({ 'storefront-token-customer-impersonation-token': ['store_hash'] });
    const auth = cap.consumes[0]?.authentication;
    expect(auth).toMatchObject({ type: 'apikey', key: 'X-Auth-Token', placement: 'header' });
    expect(auth?.type === 'apikey' && auth.value).toEqual({
      kind: 'template',
      raw: '{{env.BIGCOMMERCE_API_KEY}}',
      whole: true,
      parts: [{ kind: 'ref', raw: '{{env.BIGCOMMERCE_API_KEY}}', ref: { kind: 'bind', namespace: 'env', variable: 'BIGCOMMERCE_API_KEY', sourceKey: 'BIGCOMMERCE_API_KEY' } }],
    });
    expect(cap.binds).toEqual([{ namespace: 'env', keys: { BIGCOMMERCE_API_KEY: 'BIGCOMMERCE_API_KEY' }, pointer: '#/binds/0' }]);
  });

  it('carts-items: MCP path inputs cartId/itemId, REST path inputs cartid/itemid', () => {
    const { capability } = parseCapability(read(path.join(corpusDir, 'carts-items.yaml')));
    const cap = capability as Capability;
    const rest = cap.exposes.find((e): e is RestAdapter => e.type === 'rest')!;
    const mcp = cap.exposes.find((e): e is McpAdapter => e.type === 'mcp')!;
    const summary = (inputs: Capability['exposes'][number] extends never ? never : RestAdapter['routes'][number]['inputs']) =>
      inputs.map((i) => `${i.name}:${i.in}:${i.type}:${i.required ? 'required' : 'optional'}:${i.origin}`);
    expect(rest.routes.map((r) => `${r.method} ${r.path.raw}`)).toEqual([
      'POST /v1/carts/{cartid}/items',
      'PUT /v1/carts/{cartid}/items/{itemid}',
      'DELETE /v1/carts/{cartid}/items/{itemid}',
    ]);
    expect(summary(rest.routes[1]!.inputs)).toEqual([
      'cartid:path:string:required:route-path',
      'itemid:path:string:required:route-path',
      'include:query:string:optional:with',
      'body:body:object:required:with',
    ]);
    expect(summary(mcp.tools[0]!.inputs)).toEqual([
      'include:argument:string:optional:with',
      'body:argument:object:required:with',
      'cartId:argument:string:required:path-placeholder',
    ]);
    expect(summary(mcp.tools[2]!.inputs)).toEqual([
      'include:argument:string:optional:with',
      'cartId:argument:string:required:path-placeholder',
      'itemId:argument:string:required:path-placeholder',
    ]);
    expect(mcp.tools[2]!.inputSchema['required']).toEqual(['cartId', 'itemId']);
    expect(mcp.tools[2]!.annotations).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true });
    expect(mcp.tools[0]!.call?.consumed.path.variables).toEqual(['cartId']);
  });
});
