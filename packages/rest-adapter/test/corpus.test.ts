import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { ExposedInput, JsonType, RestRoute } from '@naftiko-ts/spec';
import { createRestApp } from '../src/index.js';
import { consumerFor, corpusDir, hasShared, parse, startStub, type Stub } from './helpers.js';

if (!hasShared) console.warn('../shared not found: BigCommerce corpus tests skipped');

const files = hasShared ? fs.readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort() : [];

function sample(type: JsonType, i: number): unknown {
  switch (type) {
    case 'integer':
    case 'number':
      return 7 + i;
    case 'boolean':
      return true;
    case 'array':
      return [`a${i}`];
    case 'object':
      return { k: i };
    default:
      return `v${i}`;
  }
}

interface Planned {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: unknown;
  expectedPath: string;
}

/** A request that satisfies every required input of the route, and the upstream path it must produce. */
function plan(route: RestRoute): Planned {
  const values = new Map<string, unknown>();
  route.inputs.forEach((input: ExposedInput, i) => {
    if (input.in === 'body' && (route.method === 'GET' || route.method === 'HEAD')) return; // no body on GET/HEAD
    if (input.in === 'path' || input.required) values.set(input.name, input.in === 'path' && input.type === 'string' ? `p${i}` : sample(input.type, i));
  });
  let url = '';
  for (const part of route.path.parts) url += part.kind === 'text' ? part.text : encodeURIComponent(String(values.get(part.name) ?? 'x'));
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  let body: Record<string, unknown> | undefined;
  let whole: unknown;
  for (const input of route.inputs) {
    if (!values.has(input.name) || input.in === 'path') continue;
    const v = values.get(input.name);
    if (input.in === 'header') headers[input.name.toLowerCase()] = String(v);
    else if (input.in === 'body') {
      if (input.name === 'body') whole = v;
      else (body ??= {})[input.name] = v;
    } else if (Array.isArray(v)) for (const x of v) query.append(input.name, String(x));
    else query.append(input.name, String(v));
  }
  const qs = query.toString();
  const call = route.call!;
  let expectedPath = '';
  const inputNames = [...values.keys()];
  for (const part of call.consumed.path.parts) {
    if (part.kind === 'text') {
      expectedPath += part.text;
      continue;
    }
    // `with` first (an absent input leaves the key unset), then the same name, then case-insensitively.
    const w = call.with[part.name];
    const mapped = w?.kind === 'input' && values.has(w.name) ? w.name : undefined;
    const source = mapped ?? inputNames.find((n) => n === part.name) ?? inputNames.find((n) => n.toLowerCase() === part.name.toLowerCase());
    expectedPath += encodeURIComponent(String(source === undefined ? '' : values.get(source)));
  }
  const payload = whole ?? body;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return { method: route.method, url: qs === '' ? url : `${url}?${qs}`, headers, payload, expectedPath };
}

describe.skipIf(!hasShared)('BigCommerce corpus: every file builds, every route answers, OpenAPI 3.1 validates', () => {
  const validator = new Validator();
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => stub.close());

  it('has the 179 files', () => {
    expect(files.length).toBe(179);
  });

  it.each(files)('%s', async (file) => {
    const capability = parse(fs.readFileSync(path.join(corpusDir, file), 'utf8'), file);
    const consumer = consumerFor(capability, stub.url);
    const app = await createRestApp({ capability, consumer });
    try {
      const rest = capability.exposes.find((e) => e.type === 'rest');
      expect(rest).toBeDefined();
      const routes = rest!.type === 'rest' ? rest!.routes : [];
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        const p = plan(route);
        stub.requests.length = 0;
        const res = await app.inject({ method: p.method as 'GET', url: p.url, headers: p.headers, ...(p.payload === undefined ? {} : { payload: JSON.stringify(p.payload) }) });
        expect(res.statusCode, `${p.method} ${p.url}: ${res.body}`).toBe(200);
        expect(stub.requests, `${p.method} ${p.url}`).toHaveLength(1);
        const upstream = stub.requests[0]!;
        expect(upstream.method).toBe(route.call!.consumed.method);
        expect(upstream.url.split('?')[0]).toBe(`/api${p.expectedPath}`);
      }
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const result = await validator.validate(doc);
      expect(result.errors ?? [], file).toEqual([]);
      expect(result.valid).toBe(true);
    } finally {
      await app.close();
      await consumer.close();
    }
  });
});
