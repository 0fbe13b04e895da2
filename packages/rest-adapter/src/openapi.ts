/**
 * OpenAPI 3.1 document of the REST adapter(s), generated from the model: paths, parameters,
 * request bodies, success responses and the problem+json errors the adapter answers.
 */
import type { Authentication, JsonSchema, OutputMapping, OutputShape } from '@naftiko-ts/spec';
import { buildRouteTable, type RestAdapterSource, type RouteSpec } from './routes.js';
import { PROBLEM_TYPE_PREFIX } from './problem.js';

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

export interface BuildOpenApiOptions {
  title?: string;
  version?: string;
  /** Include `/healthz` and `/readyz` (default true). */
  includeHealth?: boolean;
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: `RFC 9457 problem details. \`type\` is a stable URI of the form \`${PROBLEM_TYPE_PREFIX}<slug>\`.`,
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', format: 'uri-reference' },
  },
  additionalProperties: true,
};

function problemResponse(description: string): Record<string, unknown> {
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

function mappingSchema(m: OutputMapping): JsonSchema {
  if (m.const !== undefined) return { const: m.const };
  const s: JsonSchema = { type: m.type };
  if (m.type === 'object' && m.properties !== undefined) {
    const props: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(m.properties)) props[k] = mappingSchema(v);
    s['properties'] = props;
  }
  if (m.type === 'array' && m.items !== undefined) s['items'] = mappingSchema(m.items);
  // A JSONPath that matches nothing gives null.
  if (m.mapping !== undefined) return { anyOf: [s, { type: 'null' }] };
  return s;
}

function outputSchema(output: OutputShape): JsonSchema {
  switch (output.kind) {
    case 'passthrough':
      return { type: output.type };
    case 'mapped':
      return mappingSchema(output.root);
    case 'none':
    default:
      return {};
  }
}

function securityScheme(auth: Authentication): Record<string, unknown> | undefined {
  switch (auth.type) {
    case 'bearer':
      return { type: 'http', scheme: 'bearer' };
    case 'basic':
      return { type: 'http', scheme: 'basic' };
    case 'apikey':
      return { type: 'apiKey', in: auth.placement, name: auth.key };
    default:
      return undefined;
  }
}

function operationId(spec: RouteSpec, used: Set<string>): string {
  const base = (spec.route.name ?? `${spec.method.toLowerCase()}${spec.template}`).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'operation';
  let id = base;
  for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
  used.add(id);
  return id;
}

/** Builds the OpenAPI 3.1 document for one or several REST adapters. */
export function buildOpenApi(adapters: readonly RestAdapterSource[], options: BuildOpenApiOptions = {}): OpenApiDocument {
  return openApiFromRoutes(adapters, buildRouteTable(adapters), options);
}

/** Same, from an already planned route table. */
export function openApiFromRoutes(adapters: readonly RestAdapterSource[], specs: readonly RouteSpec[], options: BuildOpenApiOptions = {}): OpenApiDocument {
  const first = adapters[0];
  const title =
    options.title ??
    (adapters.length === 1 && first !== undefined
      ? (first.capability.info.label ?? first.adapter.namespace)
      : 'naftiko-ts REST API');
  const version = options.version ?? (adapters.length === 1 ? (first?.capability.info.modified ?? first?.capability.version) : undefined) ?? '0.0.0';
  const description = adapters.length === 1 ? (first?.adapter.description ?? first?.capability.info.description) : undefined;

  const securitySchemes: Record<string, unknown> = {};
  const schemeOf = new Map<RestAdapterSource, string>();
  for (const a of adapters) {
    if (a.adapter.authentication === undefined) continue;
    const scheme = securityScheme(a.adapter.authentication);
    if (scheme === undefined) continue;
    const name = a.adapter.namespace;
    securitySchemes[name] = scheme;
    schemeOf.set(a, name);
  }

  const paths: OpenApiDocument['paths'] = {};
  const used = new Set<string>();
  for (const spec of specs) {
    const item = (paths[spec.template] ??= {});
    const parameters: unknown[] = [];
    const described = new Map(spec.route.inputs.map((i) => [`${i.in}:${i.name}`, i.description]));
    const pathVars = new Set<string>();
    for (const part of spec.route.path.parts) {
      if (part.kind !== 'var' || pathVars.has(part.name)) continue;
      pathVars.add(part.name);
      const reader = spec.params.find((p) => p.name === part.name);
      const schema = (reader === undefined ? undefined : (spec.docs.params?.['properties'] as Record<string, JsonSchema> | undefined)?.[reader.key]) ?? { type: 'string' };
      const p: Record<string, unknown> = { name: part.name, in: 'path', required: true, schema };
      const d = described.get(`path:${part.name}`);
      if (d !== undefined) p['description'] = d;
      parameters.push(p);
    }
    const queryProps = (spec.docs.querystring?.['properties'] ?? {}) as Record<string, JsonSchema>;
    const queryReq = new Set((spec.docs.querystring?.['required'] ?? []) as string[]);
    for (const q of spec.query) {
      const schema = queryProps[q.key] ?? {};
      const p: Record<string, unknown> = { name: q.name, in: 'query', required: queryReq.has(q.key), schema };
      if (typeof schema['description'] === 'string') p['description'] = schema['description'];
      parameters.push(p);
    }
    const headerProps = (spec.docs.headers?.['properties'] ?? {}) as Record<string, JsonSchema>;
    const headerReq = new Set((spec.docs.headers?.['required'] ?? []) as string[]);
    for (const h of spec.headers) {
      const schema = headerProps[h.key] ?? {};
      const p: Record<string, unknown> = { name: h.name, in: 'header', required: headerReq.has(h.key), schema };
      if (typeof schema['description'] === 'string') p['description'] = schema['description'];
      parameters.push(p);
    }

    const op: Record<string, unknown> = { operationId: operationId(spec, used) };
    const summary = spec.route.description ?? spec.route.name;
    if (summary !== undefined) op['summary'] = summary;
    if (spec.route.resourceName !== undefined) op['tags'] = [spec.route.resourceName];
    if (parameters.length > 0) op['parameters'] = parameters;
    if (spec.expectsBody && spec.bodySchema !== undefined) {
      op['requestBody'] = {
        required: spec.bodyRequired,
        content: { 'application/json': { schema: spec.bodySchema } },
      };
    }
    const responses: Record<string, unknown> = {
      '200': {
        description: 'The upstream answered with success; the body is shaped by the output mapping.',
        content: { 'application/json': { schema: outputSchema(spec.route.output) } },
      },
      '400': problemResponse('Invalid or missing input (nothing was sent upstream), or malformed JSON.'),
      '4XX': {
        description: 'The upstream rejected the request; its status and body are passed through unchanged.',
        content: { 'application/json': { schema: {} }, 'application/problem+json': { schema: {} } },
      },
      '502': problemResponse('The upstream failed: 5xx, invalid body, unreachable, or it refused the gateway credentials.'),
      '504': problemResponse('The upstream did not answer in time.'),
    };
    if (spec.expectsBody) {
      responses['413'] = problemResponse('The request body is larger than the limit.');
      responses['415'] = problemResponse('The request body is not JSON.');
    }
    const scheme = schemeOf.get(spec.entry);
    if (scheme !== undefined) {
      responses['401'] = problemResponse('Missing or wrong credentials.');
      op['security'] = [{ [scheme]: [] }];
    }
    op['responses'] = responses;
    item[spec.method.toLowerCase()] = op;
  }

  if (options.includeHealth !== false) {
    paths['/healthz'] ??= {
      get: {
        operationId: 'healthz',
        summary: 'Liveness',
        tags: ['health'],
        responses: {
          '200': {
            description: 'The process is alive.',
            content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } },
          },
        },
      },
    };
    paths['/readyz'] ??= {
      get: {
        operationId: 'readyz',
        summary: 'Readiness',
        tags: ['health'],
        responses: {
          '200': {
            description: 'Ready to serve.',
            content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ready' } } } } },
          },
          '503': problemResponse('Not ready yet.'),
        },
      },
    };
  }

  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: description === undefined ? { title, version } : { title, version, description },
    paths,
    components: { schemas: { Problem: PROBLEM_SCHEMA } },
  };
  if (Object.keys(securitySchemes).length > 0) doc.components['securitySchemes'] = securitySchemes;
  return doc;
}
