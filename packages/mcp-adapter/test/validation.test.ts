import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAjv, isPlainSchema, PrecompiledValidators } from '../src/validation.js';
import { hasShared, loadCapability, shared } from './helpers.js';

const schema = {
  type: 'object',
  properties: {
    body: { type: 'object', properties: { expires_at: { type: 'integer', minimum: 0 }, channel_ids: { type: 'array', items: { type: 'integer' } } } },
    mode: { type: 'string', enum: ['a', 'b'] },
  },
  required: ['body'],
  additionalProperties: false,
};

describe('argument validation messages', () => {
  const v = new PrecompiledValidators();
  const check = v.compile(schema);
  const message = (input: unknown) => {
    const r = check(input);
    return r.valid ? 'valid' : r.errorMessage;
  };

  it('names the missing, unknown or mistyped argument', () => {
    expect(message({})).toBe('missing required argument `body`');
    expect(message({ body: {}, extra: 1 })).toBe('unknown argument `extra`');
    expect(message({ body: 'x' })).toBe('argument `body` must be of type object');
    expect(message({ body: { expires_at: -1 } })).toBe('argument `body.expires_at` must be >= 0');
    expect(message({ body: { channel_ids: [1, 'x'] } })).toBe('argument `body.channel_ids[1]` must be of type integer');
    expect(message({ body: {}, mode: 'c' })).toBe('argument `mode` must be equal to one of the allowed values');
    expect(message([])).toBe('arguments must be of type object');
    expect(message({ body: { expires_at: 1 } })).toBe('valid');
  });

  it('lists every problem at once', () => {
    expect(message({ body: 1, extra: true })).toBe('unknown argument `extra`; argument `body` must be of type object');
  });

  it('compiles once per schema and hands the SDK the same check', () => {
    expect(v.compile(schema)).toBe(check);
    expect(v.getValidator(schema as never)).toBe(check);
  });

  it('reports an invalid schema on use (lazy) or at start-up (eager)', () => {
    const bad = { type: 'object', properties: { a: { type: 'nonsense' } } };
    const lazy = new PrecompiledValidators().compile(bad);
    const r = lazy({});
    expect(r.valid).toBe(false);
    expect(r.errorMessage).toMatch(/schema of this tool is invalid/);
    expect(() => new PrecompiledValidators().compile({ ...bad }, 'argument', true)).toThrow();
  });
});

describe('plain schemas skip the meta-schema check (start-up cost), with the same outcome', () => {
  it('recognises the plain keyword subset and refuses anything else', () => {
    expect(isPlainSchema(schema)).toBe(true);
    expect(isPlainSchema({ type: ['string', 'null'], minLength: 1, format: 'date-time', examples: ['x'], default: 'a', const: 'a' })).toBe(true);
    for (const bad of [
      { type: 'nonsense' },
      { type: [] },
      { type: ['string', 'string'] },
      { minimum: 'x' },
      { minLength: -1 },
      { minItems: 1.5 },
      { required: ['a', 'a'] },
      { required: 'a' },
      { enum: 'a' },
      { properties: { a: { type: 'nonsense' } } },
      { items: { $ref: '#/x' } },
      { anyOf: [{ type: 'string' }] },
      { pattern: '[' },
      { description: 1 },
      [],
      null,
    ]) {
      expect(isPlainSchema(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('gives the same verdicts and messages as the meta-schema-checked compilation', () => {
    const plain = new PrecompiledValidators().compile(schema);
    const checked = new PrecompiledValidators(createAjv()).compile(schema);
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ body: fc.anything(), mode: fc.anything() }, { requiredKeys: [] })), (input) => {
        expect(plain(input)).toEqual(checked(input));
      }),
      { numRuns: 300 },
    );
  });

  const corpus = path.join(shared, 'corpus/bigcommerce');
  it.skipIf(!hasShared || !fs.existsSync(corpus))('every tool schema of the corpus is plain', () => {
    const notPlain: string[] = [];
    for (const f of fs.readdirSync(corpus).filter((x) => x.endsWith('.yaml'))) {
      const capability = loadCapability(path.join(corpus, f));
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'mcp') continue;
        for (const tool of adapter.tools) {
          if (!isPlainSchema({ type: 'object', ...tool.inputSchema })) notPlain.push(`${f} ${tool.name} input`);
          if (tool.outputSchema && !isPlainSchema(tool.outputSchema)) notPlain.push(`${f} ${tool.name} output`);
        }
      }
    }
    expect(notPlain).toEqual([]);
  });
});
