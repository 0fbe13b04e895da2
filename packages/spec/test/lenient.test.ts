import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVIATION_CODES, formatDiagnostics, hasErrors, parseCapability } from '../src/index.js';
import type { Capability, McpAdapter, RestAdapter } from '../src/index.js';
import { fixturesDir } from './helpers.js';

const source = 'lenient/deviations/capability.yaml';
const text = fs.readFileSync(path.join(fixturesDir, source), 'utf8');

describe('lenient deviations', () => {
  const lenient = parseCapability(text, { source });
  const strict = parseCapability(text, { source, strict: true });

  it('are warnings by default (pinned), and the model is normalised', async () => {
    expect(hasErrors(lenient.diagnostics)).toBe(false);
    await expect(formatDiagnostics(lenient.diagnostics) + '\n').toMatchFileSnapshot(path.join(fixturesDir, 'lenient/deviations/expected.txt'));
    const cap = lenient.capability as Capability;
    const api = cap.consumes[0]!;
    expect(api.baseUri.raw).toBe('https://api.example.com/stores/{store_hash}/v3');
    expect(cap.baseUriVariables).toEqual({ shop: ['store_hash'] });
    expect(api.operations[0]?.path.raw).toBe('/items/{itemId}');
    const route = (cap.exposes[0] as RestAdapter).routes[0]!;
    expect(route.path.raw).toBe('/v1/items');
    expect(route.output).toEqual({ kind: 'passthrough', type: 'object' });
    expect(route.call?.with).toEqual({ 'date_created:min': { kind: 'input', name: 'since', raw: 'rest.since' } });
    expect(route.inputs.map((i) => `${i.name}:${i.in}:${i.type}:${i.required ? 'required' : 'optional'}:${i.origin}`)).toEqual([
      'since:query:string:optional:with',
      'itemId:query:string:required:path-placeholder',
      'id:in:query:array:optional:consumed-parameter',
      'name:body:string:required:consumed-parameter',
      'price:body:number:optional:consumed-parameter',
      'X-Flag:header:boolean:optional:consumed-parameter',
    ]);
    const tool = (cap.exposes[1] as McpAdapter).tools[0]!;
    expect(tool.inputSchema).toEqual({
      type: 'object',
      properties: {
        itemId: { type: 'string' },
        'id:in': { type: 'array', description: 'Ids to match.' },
        name: { type: 'string' },
        price: { type: 'number' },
        'X-Flag': { type: 'boolean' },
      },
      required: ['itemId', 'name'],
      additionalProperties: false,
    });
    expect(tool.output).toEqual({ kind: 'mapped', root: { type: 'array', mapping: '$.data', pointer: '#/capability/exposes/1/tools/0/outputParameters/0' } });
    expect(tool.outputSchema).toBeUndefined();
    expect(tool.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
  });

  it('are errors in strict mode, one per place', () => {
    expect(hasErrors(strict.diagnostics)).toBe(true);
    for (const d of lenient.diagnostics) {
      if (!DEVIATION_CODES.has(d.code)) continue;
      expect(strict.diagnostics.some((s) => s.code === d.code && s.severity === 'error'), d.code).toBe(true);
    }
    const extraKeys = strict.diagnostics.filter((d) => d.code === 'consumed-parameter-extra-key');
    expect(extraKeys.length).toBeGreaterThan(1);
    // Normalisations the official schema allows stay warnings.
    expect(strict.diagnostics.filter((d) => d.code === 'path-without-leading-slash').every((d) => d.severity === 'warning')).toBe(true);
  });
});

describe('inputs that fill a consumed path placeholder', () => {
  it('are required, even when the placeholder is not declared as a parameter', () => {
    const doc = [
      'naftiko: 1.0.0-alpha2',
      'capability:',
      '  consumes:',
      '  - type: http',
      '    namespace: shop',
      '    baseUri: https://api.example.com',
      '    resources:',
      '    - name: orders',
      '      path: /orders/{orderId}/lines/{lineId}',
      '      operations:',
      '      - name: get-line',
      '        method: GET',
      '  exposes:',
      '  - type: mcp',
      '    namespace: shop-mcp',
      '    port: 9090',
      '    tools:',
      '    - name: get-line',
      '      description: Read one order line.',
      '      call: shop.get-line',
      '      with:',
      '        orderId: tools.order',
      '        lineId: line-{{n}}',
      '',
    ].join('\n');
    const { capability, diagnostics } = parseCapability(doc);
    expect(hasErrors(diagnostics)).toBe(false);
    const tool = (capability?.exposes[0] as McpAdapter).tools[0]!;
    expect(tool.inputs.map((i) => `${i.name}:${i.type}:${i.required}:${i.origin}`)).toEqual(['order:string:true:with', 'n:string:true:with']);
    expect(tool.annotations.readOnlyHint).toBe(true);
  });
});
