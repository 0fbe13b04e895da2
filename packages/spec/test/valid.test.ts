import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parseCapability, resolveLocation } from '../src/index.js';
import type { Capability, McpAdapter, RestAdapter } from '../src/index.js';
import { fixtureReader, fixturesDir } from './helpers.js';

const source = 'valid/full/capability.yaml';
const text = fs.readFileSync(path.join(fixturesDir, source), 'utf8');

describe('valid fixture: imports, binds, templates, every auth type, MCP resources and prompts', () => {
  const { capability, diagnostics } = parseCapability(text, { source, readFile: fixtureReader });
  const cap = capability as Capability;
  const rest = cap.exposes[0] as RestAdapter;
  const mcp = cap.exposes[1] as McpAdapter;

  it('has no diagnostics at all, in lenient and in strict mode', () => {
    expect(formatDiagnostics(diagnostics)).toBe('');
    expect(formatDiagnostics(parseCapability(text, { source, readFile: fixtureReader, strict: true }).diagnostics)).toBe('');
  });

  it('strict mode rejects `with` references to undeclared inputs', () => {
    const undeclared = text.replace(/      inputParameters:\n      - name: body\n        type: object\n        description: The refund.\n        required: false\n/, '');
    expect(undeclared).not.toBe(text);
    expect(parseCapability(undeclared, { source, readFile: fixtureReader }).diagnostics).toEqual([]);
    const strict = parseCapability(undeclared, { source, readFile: fixtureReader, strict: true }).diagnostics;
    expect(strict.map((d) => `${d.severity} ${d.code} ${d.pointer}`)).toEqual([
      'error unknown-input-reference #/capability/exposes/1/tools/1/with/body',
    ]);
  });

  it('reads binds with and without location', () => {
    expect(cap.binds.map((b) => [b.namespace, b.location])).toEqual([
      ['env', undefined],
      ['secrets', 'file:///etc/shop/secrets.json'],
    ]);
  });

  it('imports consumes with `as`, resolved through the injected reader', () => {
    const stock = cap.consumes.find((c) => c.namespace === 'stock');
    expect(stock?.importedFrom).toEqual({ location: '../shared/consumes.yaml', import: 'inventory' });
    expect(stock?.operations.map((o) => o.id)).toEqual(['stock.get-stock']);
    expect(cap.operations.get('stock.get-stock')?.path.variables).toEqual(['sku']);
    expect(stock?.authentication).toMatchObject({ type: 'basic' });
  });

  it('reports problems inside an imported file against that file', () => {
    const shared = 'naftiko: 1.0.0-alpha2\nconsumes:\n- type: http\n  namespace: inventory\n  baseUri: https://x.example.com/\n  resources:\n  - name: stock\n    path: /stock\n    operations:\n    - name: get-stock\n      method: GET\n';
    const r = parseCapability(text, { source, readFile: () => shared });
    expect(r.diagnostics.map((d) => `${d.source}:${d.range.start.line + 1} ${d.code}`)).toEqual(['valid/shared/consumes.yaml:5 base-uri-trailing-slash']);
    expect(resolveLocation('file://../a/b.yaml', 'x/y/cap.yaml')).toBe('x/a/b.yaml');
    expect(resolveLocation('./b.yaml', 'cap.yaml')).toBe('b.yaml');
    expect(resolveLocation('/abs/b.yaml', 'x/cap.yaml')).toBe('/abs/b.yaml');
  });

  it('models every auth type with parsed expressions', () => {
    const byNs = Object.fromEntries(cap.consumes.map((c) => [c.namespace, c.authentication]));
    expect(byNs['shop']).toMatchObject({ type: 'bearer', token: { kind: 'template', whole: true } });
    expect(byNs['payments']).toMatchObject({ type: 'apikey', key: 'api_key', placement: 'query' });
    expect(byNs['payments']?.type === 'apikey' && byNs['payments'].value).toMatchObject({
      parts: [{ kind: 'ref', ref: { kind: 'bind', namespace: 'secrets', variable: 'PAY_KEY', sourceKey: 'pay-key' } }],
    });
    expect(byNs['legacy']?.type === 'digest' && byNs['legacy'].password).toMatchObject({
      parts: [{ kind: 'ref', ref: { kind: 'bind', namespace: 'secrets', variable: 'DIGEST_PASSWORD', sourceKey: 'digest_password' } }],
    });
    expect(byNs['partner']).toMatchObject({ type: 'oauth2', tokenEndpoint: 'https://auth.example.com/oauth/token', scopes: ['orders.read'] });
    expect(rest.authentication).toMatchObject({ type: 'bearer' });
  });

  it('merges consumes-, resource- and operation-level parameters', () => {
    const op = cap.operations.get('shop.get-order');
    expect(op?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['header:Accept', 'query:include']);
    expect(op?.parameters[0]?.value).toEqual({ kind: 'literal', value: 'application/json' });
    expect(cap.baseUriVariables['shop']).toEqual(['shop_host']);
    expect(cap.operations.get('shop.update-order')?.body).toMatchObject({ type: 'json', data: { note: '{{note}}' } });
  });

  it('normalises REST paths and infers inputs from the route, declared params and `with`', () => {
    expect(rest.routes.map((r) => `${r.method} ${r.path.raw}`)).toEqual(['GET /orders/{id}', 'PUT /orders/{id}', 'GET /orders', 'GET /stock/{sku}']);
    const [get, put, search, stock] = rest.routes;
    expect(get?.inputs.map((i) => `${i.name}:${i.in}:${i.origin}`)).toEqual(['id:path:route-path']);
    expect(get?.call?.with['include']).toEqual({ kind: 'literal', value: 'items' });
    expect(get?.output).toMatchObject({ kind: 'mapped', root: { type: 'object', mapping: '$.data', properties: { id: { type: 'string' }, total: { type: 'number' } } } });
    expect(put?.inputs.map((i) => `${i.name}:${i.in}:${i.origin}`)).toEqual(['id:path:route-path', 'X-Trace:header:declared', 'note:body:declared']);
    expect(put?.call?.with['orderId']).toMatchObject({ kind: 'template', whole: true, parts: [{ kind: 'ref', ref: { kind: 'input', name: 'id' } }] });
    expect(put?.output).toEqual({ kind: 'none' });
    expect(search?.inputs.map((i) => `${i.name}:${i.in}:${i.required}:${i.origin}`)).toEqual(['state:query:false:declared', 'X-Request-Id:header:false:consumed-parameter']);
    expect(stock?.inputs.map((i) => `${i.name}:${i.in}:${i.origin}`)).toEqual(['sku:path:route-path']);
  });

  it('builds MCP tools with schemas and annotations', () => {
    const [get, refund, ping] = mcp.tools;
    expect(get?.title).toBe('Get an order');
    expect(get?.inputSchema).toEqual({
      type: 'object',
      properties: { orderId: { type: 'string', description: 'The order id.' }, include: { type: 'string' } },
      required: ['orderId'],
      additionalProperties: false,
    });
    expect(get?.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(get?.outputSchema).toBeUndefined();
    expect(refund?.annotations).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false });
    expect(refund?.inputs).toMatchObject([{ name: 'body', type: 'object', required: false, description: 'The refund.', origin: 'declared' }]);
    expect(ping?.inputSchema).toEqual({ type: 'object', properties: {}, additionalProperties: false });
    expect(mcp.resources).toEqual([
      { name: 'readme', title: 'Read me', uri: 'shop://readme', description: 'How to use the shop tools.', mimeType: 'text/markdown', location: 'file:///docs/readme.md', mode: 'static', pointer: '#/capability/exposes/1/resources/0' },
    ]);
    expect(mcp.prompts[0]).toMatchObject({
      name: 'summarise-order',
      title: 'Summarise an order',
      arguments: [{ name: 'orderId', description: 'The order id.', required: true }],
      template: [{ role: 'user', content: 'Summarise order {{orderId}}.' }],
    });
  });
});
