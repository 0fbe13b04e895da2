import { describe, expect, it } from 'vitest';
import { PrecompiledValidators } from '../src/validation.js';

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
