import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  closest,
  editDistance,
  expressionRefs,
  formatDiagnostic,
  formatDiagnostics,
  formatUrlTemplate,
  hasErrors,
  parseExpression,
  parseTemplate,
  parseUrlTemplate,
  SpecError,
} from '../src/index.js';
import type { Bind, Diagnostic, ExpressionContext } from '../src/index.js';

const binds: Bind[] = [
  { namespace: 'env', keys: { API_KEY: 'BIGCOMMERCE_API_KEY' }, pointer: '#/binds/0' },
  { namespace: 'vault', keys: { DB_PASSWORD: 'db-password' }, location: 'file:///s.json', pointer: '#/binds/1' },
];
const context: ExpressionContext = { binds, exposeNamespaces: ['shop-rest', 'shop-mcp'] };

describe('parseUrlTemplate', () => {
  it('treats {x} and {{x}} as the same placeholder', () => {
    const t = parseUrlTemplate('https://api.example.com/stores/{store_hash}/v3/{{ id }}/x');
    expect(t.variables).toEqual(['store_hash', 'id']);
    expect(t.parts).toEqual([
      { kind: 'text', text: 'https://api.example.com/stores/' },
      { kind: 'var', name: 'store_hash' },
      { kind: 'text', text: '/v3/' },
      { kind: 'var', name: 'id' },
      { kind: 'text', text: '/x' },
    ]);
    expect(formatUrlTemplate(t)).toBe('https://api.example.com/stores/{store_hash}/v3/{id}/x');
  });

  it('lists each variable once, in order of first appearance', () => {
    expect(parseUrlTemplate('/{a}/{b}/{a}').variables).toEqual(['a', 'b']);
    expect(parseUrlTemplate('/plain').parts).toEqual([{ kind: 'text', text: '/plain' }]);
    expect(parseUrlTemplate('/{}').variables).toEqual([]);
  });

  it('round-trips text that has no placeholder (property)', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !/[{}]/.test(s)), (s) => {
        expect(formatUrlTemplate(parseUrlTemplate(s))).toBe(s);
      }),
    );
  });
});

describe('parseExpression', () => {
  it.each([
    ['rest.body', 'body'],
    ['tools.cartId', 'cartId'],
    ['args.x', 'x'],
    ['$this.shop-rest.limit', 'limit'],
    ['shop-mcp.page', 'page'],
    ['rest.id:in', 'id:in'],
    ['rest.Content-Type', 'Content-Type'],
  ])('%s → input %s', (raw, name) => {
    expect(parseExpression(raw, context)).toEqual({ kind: 'input', name, raw });
  });

  it('resolves {{VAR}} and {{ns.VAR}} to binds with their source key', () => {
    expect(parseExpression('{{env.API_KEY}}', context)).toEqual({
      kind: 'template',
      raw: '{{env.API_KEY}}',
      whole: true,
      parts: [{ kind: 'ref', raw: '{{env.API_KEY}}', ref: { kind: 'bind', namespace: 'env', variable: 'API_KEY', sourceKey: 'BIGCOMMERCE_API_KEY' } }],
    });
    const e = parseExpression('Bearer {{ DB_PASSWORD }}', context);
    expect(e).toMatchObject({ kind: 'template', whole: false });
    expect(expressionRefs(e)).toEqual([{ kind: 'bind', namespace: 'vault', variable: 'DB_PASSWORD', sourceKey: 'db-password' }]);
  });

  it('treats other {{x}} as inputs and unknown dotted paths as unknown', () => {
    expect(expressionRefs(parseExpression('{{orderId}}-{{rest.page}}', context))).toEqual([
      { kind: 'input', name: 'orderId' },
      { kind: 'input', name: 'page' },
    ]);
    expect(expressionRefs(parseExpression('{{step1.id}}', context))).toEqual([{ kind: 'unknown', path: 'step1.id' }]);
    expect(expressionRefs(parseExpression('{{env.MISSING}}', context))).toEqual([{ kind: 'bind', namespace: 'env', variable: 'MISSING', sourceKey: 'MISSING' }]);
  });

  it('keeps other values literal', () => {
    expect(parseExpression('application/json', context)).toEqual({ kind: 'literal', value: 'application/json' });
    expect(parseExpression(42)).toEqual({ kind: 'literal', value: 42 });
    expect(parseExpression(true)).toEqual({ kind: 'literal', value: true });
    expect(parseExpression('rest.')).toEqual({ kind: 'literal', value: 'rest.' });
    expect(parseExpression('constructor', context)).toEqual({ kind: 'literal', value: 'constructor' });
  });

  it('does not resolve prototype keys as binds', () => {
    expect(expressionRefs(parseExpression('{{constructor}}', context))).toEqual([{ kind: 'input', name: 'constructor' }]);
    expect(expressionRefs(parseExpression('{{env.toString}}', context))).toEqual([{ kind: 'bind', namespace: 'env', variable: 'toString', sourceKey: 'toString' }]);
  });

  it('parseTemplate splits text and refs', () => {
    expect(parseTemplate('a{{x}}b')).toEqual({
      whole: false,
      parts: [
        { kind: 'text', text: 'a' },
        { kind: 'ref', raw: '{{x}}', ref: { kind: 'input', name: 'x' } },
        { kind: 'text', text: 'b' },
      ],
    });
  });
});

describe('diagnostics helpers', () => {
  const d: Diagnostic = {
    code: 'port-clash',
    severity: 'error',
    message: 'Port 8080 is already used.',
    pointer: '#/capability/exposes/1/port',
    range: { start: { line: 33, column: 10, offset: 900 }, end: { line: 33, column: 14, offset: 904 } },
    source: 'cap.yaml',
  };

  it('formats FILE:LINE:COL severity code message (at #/pointer), 1-based', () => {
    expect(formatDiagnostic(d)).toBe('cap.yaml:34:11 error port-clash Port 8080 is already used. (at #/capability/exposes/1/port)');
    expect(formatDiagnostics([d, { ...d, severity: 'warning' }]).split('\n')).toHaveLength(2);
    expect(hasErrors([d])).toBe(true);
    expect(hasErrors([{ ...d, severity: 'warning' }])).toBe(false);
    expect(hasErrors([])).toBe(false);
  });

  it('suggests near names only', () => {
    expect(editDistance('authentcation', 'authentication')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(closest('authentcation', ['authentication', 'resources'])).toBe('authentication');
    expect(closest('baseURI', ['baseUri', 'namespace'])).toBe('baseUri');
    expect(closest('zzz', ['authentication', 'resources'])).toBeUndefined();
    expect(closest('port', ['port'])).toBeUndefined();
  });

  it('brands its error class', () => {
    const e = new SpecError('SPEC_INVALID_CAPABILITY', 'bad', { cause: new Error('x') });
    expect(SpecError.isInstance(e)).toBe(true);
    expect(SpecError.isInstance(new Error('x'))).toBe(false);
    expect(e.code).toBe('SPEC_INVALID_CAPABILITY');
  });
});
