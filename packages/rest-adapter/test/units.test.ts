import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RestRoute, UrlTemplate } from '@naftiko-ts/spec';
import {
  planRoute,
  problem,
  ProblemError,
  PROBLEMS,
  redactingLoggerOptions,
  redactText,
  RestAdapterError,
  SecretSet,
  authSecretNames,
  createMetrics,
  LATENCY_BUCKETS,
} from '../src/index.js';
import { sanitizeSchema } from '../src/schema.js';
import { lazyBuildValidator } from '../src/validators.js';
import { readConsumerError } from '../src/upstream.js';
import { ConsumerError } from '@naftiko-ts/consumer';

function template(raw: string): UrlTemplate {
  const parts: UrlTemplate['parts'] = [];
  const variables: string[] = [];
  const re = /\{\{?([^{}]+)\}?\}/g;
  let last = 0;
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    if (m.index > last) parts.push({ kind: 'text', text: raw.slice(last, m.index) });
    parts.push({ kind: 'var', name: m[1]! });
    if (!variables.includes(m[1]!)) variables.push(m[1]!);
    last = m.index + m[0].length;
  }
  if (last < raw.length) parts.push({ kind: 'text', text: raw.slice(last) });
  return { raw, parts, variables };
}

function route(raw: string, method: RestRoute['method'] = 'GET'): RestRoute {
  const path = template(raw);
  return {
    path,
    method,
    mode: 'call',
    inputs: path.variables.map((v) => ({ name: v, in: 'path', type: 'string', required: true, schema: { type: 'string' }, origin: 'route-path' })),
    output: { kind: 'none' },
    pointer: '#/capability/exposes/0/resources/0/operations/0',
  };
}

const source = { capability: { source: 'x.yaml' } as never, adapter: {} as never };

describe('route planning', () => {
  it('maps `{x}` to `:x` and keeps the template', () => {
    const spec = planRoute(source, route('/v1/carts/{cartId}/items'));
    expect(spec.url).toBe('/v1/carts/:cartId/items');
    expect(spec.template).toBe('/v1/carts/{cartId}/items');
    expect(spec.shape).toBe('/v1/carts/{}/items');
  });

  it('gives odd placeholder names safe router keys and reads them back under their own name', () => {
    const spec = planRoute(source, route('/v1/{cart-id}/x/{id:in}/{ü}'));
    expect(spec.url).toBe('/v1/:p__0/x/:p__1/:p__2');
    expect(spec.params).toEqual([
      { name: 'cart-id', key: 'p__0' },
      { name: 'id:in', key: 'p__1' },
      { name: 'ü', key: 'p__2' },
    ]);
  });

  it('escapes `:` in static text', () => {
    expect(planRoute(source, route('/v1/a:b/{id}')).url).toBe('/v1/a::b/:id');
  });

  it('refuses placeholders the router cannot split', () => {
    expect(() => planRoute(source, route('/v1/{a}{b}'))).toThrowError(/two placeholders in a row/);
    expect(() => planRoute(source, route('/v1/{a}x'))).toThrowError(/without a separator/);
    try {
      planRoute(source, route('/v1/*'));
    } catch (e) {
      expect(RestAdapterError.isInstance(e) && e.code).toBe('REST_INVALID_PATH');
    }
  });

  it('an optional body accepts null; a required one does not', () => {
    const r = route('/v1/x', 'POST');
    r.inputs = [{ name: 'body', in: 'body', type: 'object', required: false, schema: { type: 'object' }, origin: 'with' }];
    expect(planRoute(source, r).schema.body).toEqual({ anyOf: [{ type: 'null' }, { type: 'object' }] });
    r.inputs[0]!.required = true;
    expect(planRoute(source, r).schema.body).toEqual({ type: 'object' });
  });

  it('body fields other than `body` become properties of an object body', () => {
    const r = route('/v1/x', 'POST');
    r.inputs = [
      { name: 'name', in: 'body', type: 'string', required: true, schema: { type: 'string' }, origin: 'with' },
      { name: 'n', in: 'body', type: 'integer', required: false, schema: { type: 'integer' }, origin: 'with' },
    ];
    const spec = planRoute(source, r);
    expect(spec.schema.body).toEqual({ type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer' } }, required: ['name'] });
    expect(spec.bodyFields.map((f) => f.name)).toEqual(['name', 'n']);
  });

  it('body inputs of a GET route are never read', () => {
    const r = route('/v1/x', 'GET');
    r.inputs = [{ name: 'body', in: 'body', type: 'object', required: true, schema: { type: 'object' }, origin: 'with' }];
    const spec = planRoute(source, r);
    expect(spec.expectsBody).toBe(false);
    expect(spec.schema.body).toBeUndefined();
    expect(spec.ignoredInputs).toHaveLength(1);
  });
});

describe('metrics', () => {
  it('buckets are inclusive upper bounds, cumulative in the exposition, with +Inf, sum and count', async () => {
    const m = createMetrics();
    m.observeRequest('GET', '/a', 200, 0.005);
    m.observeRequest('GET', '/a', 200, 0.0051);
    m.observeRequest('GET', '/a', 200, 99);
    m.observeUpstream('ns.op', 0);
    const text = await m.registry.metrics();
    const line = (le: string): string => `naftiko_http_request_duration_seconds_bucket{method="GET",route="/a",status="200",le="${le}"}`;
    expect(text).toContain(`${line('0.0025')} 0\n`);
    expect(text).toContain(`${line('0.005')} 1\n`);
    expect(text).toContain(`${line('0.01')} 2\n`);
    expect(text).toContain(`${line('30')} 2\n`);
    expect(text).toContain(`${line('+Inf')} 3\n`);
    expect(text).toContain('naftiko_http_request_duration_seconds_count{method="GET",route="/a",status="200"} 3');
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="/a",status="200"} 3');
    expect(text).toContain('naftiko_upstream_responses_total{operation="ns.op",status="0"} 1');
    expect(LATENCY_BUCKETS.length).toBe(14);
  });

  it('bound recorders count like the plain observations, per method and status, and survive a reset', async () => {
    const m = createMetrics();
    const rec = m.requestRecorder('/b');
    const up = m.upstreamCounter('ns.b');
    rec('GET', 200, 0.001);
    rec('GET', 200, 0.001);
    rec('HEAD', 200, 0.001);
    rec('GET', 404, 0.001);
    m.observeRequest('GET', '/b', 200, 0.001);
    up(200);
    up(200);
    up(502);
    let text = await m.registry.metrics();
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="/b",status="200"} 3');
    expect(text).toContain('naftiko_http_requests_total{method="HEAD",route="/b",status="200"} 1');
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="/b",status="404"} 1');
    expect(text).toContain('naftiko_upstream_responses_total{operation="ns.b",status="200"} 2');
    expect(text).toContain('naftiko_upstream_responses_total{operation="ns.b",status="502"} 1');
    m.registry.resetMetrics();
    rec('GET', 200, 0.001);
    up(200);
    text = await m.registry.metrics();
    expect(text).toContain('naftiko_http_requests_total{method="GET",route="/b",status="200"} 1');
    expect(text).toContain('naftiko_upstream_responses_total{operation="ns.b",status="200"} 1');
  });
});

describe('lazy validators', () => {
  it('compile on first use, once per schema object and part, with ajv errors and root coercion', () => {
    const build = lazyBuildValidator();
    expect(build).toBeDefined();
    const compile = build!({}, { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false } });
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const v = compile({ schema, httpPart: 'querystring' });
    expect(compile({ schema, httpPart: 'querystring' })).toBe(v);
    expect(compile({ schema: { ...schema }, httpPart: 'querystring' })).not.toBe(v);
    expect(compile({ schema, httpPart: 'body' })).not.toBe(v);
    const data: Record<string, unknown> = { n: '5' };
    expect(v(data, { parentData: { q: data }, parentDataProperty: 'q' })).toBe(true);
    expect(data.n).toBe(5);
    expect(v({}, undefined)).toBe(false);
    expect(JSON.stringify(v.errors)).toContain('required');
    expect(v({ n: 1 })).toBe(true);
    expect(v.errors).toBeNull();
  });
});

describe('schemas for ajv', () => {
  it('drops unknown keywords and formats, keeps validation keywords', () => {
    expect(sanitizeSchema({ type: 'string', format: 'int64', example: 'x', 'x-vendor': 1, pattern: '^a', description: 'd' })).toEqual({ type: 'string', pattern: '^a', description: 'd' });
    expect(sanitizeSchema({ type: 'array', items: { type: 'integer', foo: 1 } })).toEqual({ type: 'array', items: { type: 'integer' } });
    expect(sanitizeSchema({ type: 'weird' })).toEqual({});
    // A pattern ajv cannot compile (`u` flag) is dropped rather than stopping the app.
    expect(sanitizeSchema({ type: 'string', pattern: '[' })).toEqual({ type: 'string' });
    expect(sanitizeSchema({ type: 'string', pattern: '\\-' })).toEqual({ type: 'string' });
  });
});

describe('problem+json', () => {
  it('builds stable documents', () => {
    expect(problem('not-found', 'nothing', '/x')).toEqual({ type: 'urn:naftiko-ts:problem:not-found', title: 'Not Found', status: 404, detail: 'nothing', instance: '/x' });
    // Extensions never override the standard members.
    expect(problem('unauthorized', 'd', undefined, { status: 200, extra: 1 })).toEqual({ type: 'urn:naftiko-ts:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'd', extra: 1 });
  });

  it('every slug has a 4xx/5xx status and a title', () => {
    for (const [slug, p] of Object.entries(PROBLEMS)) {
      expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(p.status).toBeGreaterThanOrEqual(400);
      expect(p.title.length).toBeGreaterThan(0);
    }
  });

  it('errors carry a brand that survives duplicate installs', () => {
    const e = new RestAdapterError('REST_ROUTE_CONFLICT', 'x');
    expect(RestAdapterError.isInstance(e)).toBe(true);
    expect(RestAdapterError.isInstance({ [Symbol.for('naftiko-ts.rest-adapter.error')]: true })).toBe(true);
    expect(RestAdapterError.isInstance(new Error('x'))).toBe(false);
    expect(ProblemError.isInstance(new ProblemError('not-found', 'x'))).toBe(true);
    expect(new ProblemError('payload-too-large', 'x').statusCode).toBe(413);
  });
});

describe('consumer errors', () => {
  it('reads the upstream response out of UPSTREAM_STATUS', () => {
    const f = readConsumerError(new ConsumerError('UPSTREAM_STATUS', 'x', { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '1' }, raw: Buffer.from('{}') }));
    expect(f).toMatchObject({ code: 'UPSTREAM_STATUS', response: { status: 429, contentType: 'application/json' } });
    expect(f!.response!.raw!.toString()).toBe('{}');
  });

  it('ignores errors that are not consumer errors', () => {
    expect(readConsumerError(new Error('x'))).toBeUndefined();
    expect(readConsumerError({ code: 'CONSUMER_TIMEOUT' })).toBeUndefined();
  });

  it('names the env vars of the upstream auth, never values', () => {
    expect(
      authSecretNames({
        type: 'apikey',
        key: 'X-Auth-Token',
        placement: 'header',
        pointer: '#',
        value: { kind: 'template', raw: '{{env.K}}', whole: true, parts: [{ kind: 'ref', raw: '{{env.K}}', ref: { kind: 'bind', namespace: 'env', variable: 'K', sourceKey: 'MY_KEY' } }] },
      }),
    ).toEqual(['MY_KEY (bind variable K)']);
  });
});

describe('secret redaction', () => {
  it('replaces raw and JSON-escaped occurrences', () => {
    const secret = 'a"b\\c-secret';
    const line = JSON.stringify({ msg: `x ${secret} y`, raw: secret });
    const out = redactText(line, [secret]);
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(out).toContain('[REDACTED]');
    expect(JSON.parse(out)).toEqual({ msg: 'x [REDACTED] y', raw: '[REDACTED]' });
  });

  it('never prints its values', () => {
    const s = new SecretSet(['very-secret-value']);
    expect(String(s)).not.toContain('very-secret-value');
    expect(JSON.stringify({ s })).not.toContain('very-secret-value');
  });

  it('any secret inside any text is redacted (property)', () => {
    fc.assert(
      // Alphanumeric secrets cannot straddle the brackets of `[REDACTED]`, so any occurrence left is a leak.
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{4,24}$/).filter((s) => !'[REDACTED]'.includes(s)), fc.string(), fc.string(), (secret, a, b) => {
        const out = new SecretSet([secret]).redact(JSON.stringify({ m: a + secret + b }));
        expect(out.includes(secret)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('logger options redact credential headers and chain a streamWrite hook', () => {
    const opts = redactingLoggerOptions(['s3cr3t-value'], { level: 'warn' }, ['x-api-key']);
    expect(opts.level).toBe('warn');
    expect((opts.redact as { paths: string[] }).paths).toContain('req.headers["x-api-key"]');
    expect(opts.hooks!.streamWrite!('{"a":"s3cr3t-value"}')).toBe('{"a":"[REDACTED]"}');
  });
});
