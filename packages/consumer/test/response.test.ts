import type { OutputMapping } from '@naftiko-ts/spec';
import { describe, expect, it } from 'vitest';
import { applyMapping, selectJsonPath } from '../src/index.js';

const m = (x: Omit<OutputMapping, 'pointer'>): OutputMapping => ({ pointer: '', ...x }) as OutputMapping;

const doc = {
  data: { token: 'jwt', id: 5, tags: ['a', 'b'] },
  items: [
    { id: 1, name: 'one', price: { value: 10 } },
    { id: 2, name: 'two', price: { value: 20 } },
  ],
  meta: {},
};

describe('output mapping (semantics §4)', () => {
  it('`$` and `$.` select the whole body', () => {
    expect(selectJsonPath('$', doc)).toBe(doc);
    expect(selectJsonPath('$.', doc)).toBe(doc);
  });

  it('an object/array output with a mapping and no properties/items passes the node through unchanged', () => {
    expect(applyMapping(m({ type: 'object', mapping: '$.' }), doc)).toBe(doc);
    expect(applyMapping(m({ type: 'object', mapping: '$.data' }), doc)).toEqual(doc.data);
    expect(applyMapping(m({ type: 'array', mapping: '$.items' }), doc)).toEqual(doc.items);
  });

  it('properties are evaluated against the response root', () => {
    const out = applyMapping(
      m({
        type: 'object',
        mapping: '$.data',
        properties: {
          token: m({ type: 'string', mapping: '$.data.token' }),
          count: m({ type: 'number', mapping: '$.data.id' }),
          kind: m({ type: 'string', const: 'impersonation' }),
        },
      }),
      doc,
    );
    expect(out).toEqual({ token: 'jwt', count: 5, kind: 'impersonation' });
  });

  it('items.properties are evaluated against each element', () => {
    const out = applyMapping(
      m({
        type: 'array',
        mapping: '$.items',
        items: m({
          type: 'object',
          properties: { id: m({ type: 'integer', mapping: '$.id' }), price: m({ type: 'number', mapping: '$.price.value' }) },
        }),
      }),
      doc,
    );
    expect(out).toEqual([
      { id: 1, price: 10 },
      { id: 2, price: 20 },
    ]);
  });

  it('a path that matches nothing gives null', () => {
    expect(applyMapping(m({ type: 'string', mapping: '$.nope.deeper' }), doc)).toBeNull();
    expect(
      applyMapping(m({ type: 'object', properties: { x: m({ type: 'string', mapping: '$.missing' }) } }), doc),
    ).toEqual({ x: null });
    expect(applyMapping(m({ type: 'array', mapping: '$.missing', items: m({ type: 'string', mapping: '$' }) }), doc)).toBeNull();
  });

  it('wildcards and filters give arrays; a definite path gives the value', () => {
    expect(selectJsonPath('$.items[*].name', doc)).toEqual(['one', 'two']);
    expect(selectJsonPath('$.items[?(@.id > 1)].name', doc)).toEqual(['two']);
    expect(selectJsonPath('$.data.tags', doc)).toEqual(['a', 'b']);
    expect(selectJsonPath("$['data']['token']", doc)).toBe('jwt');
    expect(selectJsonPath('$.items[0].name', doc)).toBe('one');
  });

  it('mapping a non-object body never throws', () => {
    expect(selectJsonPath('$.a', null)).toBeNull();
    expect(selectJsonPath('$.a', 'text')).toBeNull();
  });
});
