import fc from 'fast-check';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { encodePathSegment, encodeQueryComponent, parseUrlTemplate } from '../src/index.js';
import { mapTransportError } from '../src/transport.js';

describe('encoding (property-based)', () => {
  it('a path value is always exactly one segment and decodes back to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        fc.pre(s.length > 0 && !/[\uD800-\uDFFF]/.test(s));
        const enc = encodePathSegment(s);
        expect(enc).not.toMatch(/[/?#\s]/);
        expect(enc === '.' || enc === '..').toBe(false);
        expect(decodeURIComponent(enc)).toBe(s);
      }),
    );
  });

  it('query names and values survive a round trip through URLSearchParams', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (k, v) => {
        fc.pre(!/[\uD800-\uDFFF]/.test(k + v));
        const qs = `${encodeQueryComponent(k)}=${encodeQueryComponent(v)}`;
        expect(qs.split('&')).toHaveLength(1);
        expect([...new URLSearchParams(qs)]).toEqual([[k, v]]);
      }),
    );
  });

  it('`{x}` and `{{x}}` are the same placeholder', () => {
    expect(parseUrlTemplate('http://h/{a}/{{b}}/{{ a }}')).toEqual({
      raw: 'http://h/{a}/{{b}}/{{ a }}',
      parts: [
        { kind: 'text', text: 'http://h/' },
        { kind: 'var', name: 'a' },
        { kind: 'text', text: '/' },
        { kind: 'var', name: 'b' },
        { kind: 'text', text: '/' },
        { kind: 'var', name: 'a' },
      ],
      variables: ['a', 'b'],
    });
  });
});

describe('transport error mapping (real undici error classes)', () => {
  it('connect timeout → CONSUMER_TIMEOUT phase connect', () => {
    const e = mapTransportError(new errors.ConnectTimeoutError(), 'headers', 'ns.op', undefined);
    expect([e.code, e.phase]).toEqual(['CONSUMER_TIMEOUT', 'connect']);
  });
  it('headers and body timeouts', () => {
    expect(mapTransportError(new errors.HeadersTimeoutError(), 'headers', 't', undefined).phase).toBe('headers');
    expect(mapTransportError(new errors.BodyTimeoutError(), 'body', 't', undefined).phase).toBe('body');
  });
  it('socket errors and refused connections → CONSUMER_CONNECT; an aborted signal wins', () => {
    expect(mapTransportError(new errors.SocketError('other side closed'), 'body', 't', undefined).code).toBe('CONSUMER_CONNECT');
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(mapTransportError(new AggregateError([refused]), 'headers', 't', undefined)).toMatchObject({
      code: 'CONSUMER_CONNECT',
      phase: 'connect',
    });
    const ac = new AbortController();
    ac.abort();
    expect(mapTransportError(refused, 'headers', 't', ac.signal).code).toBe('CONSUMER_ABORTED');
  });
});
