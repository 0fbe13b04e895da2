/**
 * The route table: every `RestRoute` of every adapter turned once, at start-up, into what the
 * fastify route and its handler need (router URL, schemas, where each input is read from).
 */
import type { Capability, ExposedInput, HttpMethod, JsonSchema, RestAdapter, RestRoute } from '@naftiko-ts/spec';
import type { Consumer } from '@naftiko-ts/consumer';
import { RestAdapterError } from './errors.js';
import { allowNull, inputSchema, stripDocs } from './schema.js';

/** A REST adapter and the capability it comes from (what the OpenAPI generator needs). */
export interface RestAdapterSource {
  capability: Capability;
  adapter: RestAdapter;
}

/** One REST adapter to serve, with the capability it comes from and the consumer that calls upstream. */
export interface RestAdapterEntry extends RestAdapterSource {
  consumer: Consumer;
}

/** Paths the adapter serves itself; a declared resource may not use them. */
export const RESERVED_PATHS: readonly string[] = ['/openapi.json', '/healthz', '/readyz', '/metrics'];

export const ALL_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface ParamReader {
  /** The input name handed to the consumer. */
  name: string;
  /** The key in `request.params` / `request.headers` / `request.query`. */
  key: string;
}

export interface RouteSpec<E extends RestAdapterSource = RestAdapterSource> {
  entry: E;
  route: RestRoute;
  method: HttpMethod;
  /** OpenAPI-style template, `/v1/carts/{cartid}`. */
  template: string;
  /** find-my-way URL, `/v1/carts/:cartid`. */
  url: string;
  /** Template with anonymous placeholders (`/v1/carts/{}`): two routes with the same shape and method clash. */
  shape: string;
  /** Where the route was declared, for error messages: `file.yaml#/capability/exposes/0/…`. */
  source: string;
  /** `namespace.operation` of the consumed call (metrics label), or the route name. */
  operation: string;
  params: ParamReader[];
  query: ParamReader[];
  headers: ParamReader[];
  /** The whole JSON body is the input `body`. */
  wholeBody: ParamReader | undefined;
  /** Top-level fields of the JSON body, each an input. */
  bodyFields: ParamReader[];
  /** The route reads a request body. */
  expectsBody: boolean;
  bodyRequired: boolean;
  /** Body inputs of a GET/HEAD route: HTTP clients and fastify send/parse no body there, so they are never read. */
  ignoredInputs: ExposedInput[];
  /** Schema of the request body when present (without the `null` an optional body also accepts). */
  bodySchema: JsonSchema | undefined;
  /** Schemas with their documentation (`description`…), for OpenAPI. */
  docs: RouteSchemas;
  /** Fastify schema (compiled once by fastify's ajv): `docs` without documentation keywords. */
  schema: RouteSchemas;
}

export interface RouteSchemas {
  params?: JsonSchema;
  querystring?: JsonSchema;
  headers?: JsonSchema;
  body?: JsonSchema;
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function sourceOf(entry: RestAdapterSource, route: RestRoute): string {
  return `${entry.capability.source}#${route.pointer}`;
}

interface PathPlan {
  template: string;
  url: string;
  shape: string;
  /** model variable name → router param key */
  keys: Map<string, string>;
}

/** Turns a route's `UrlTemplate` into the router URL, with safe param keys for odd names. */
export function planPath(route: RestRoute, source: string): PathPlan {
  const parts = route.path.parts;
  const keys = new Map<string, string>();
  let template = '';
  let url = '';
  let shape = '';
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.kind === 'text') {
      if (part.text.includes('*')) {
        throw new RestAdapterError('REST_INVALID_PATH', `Path \`${route.path.raw}\` (${source}) contains \`*\`, which the router reads as a wildcard. Remove it from the resource path.`);
      }
      template += part.text;
      shape += part.text;
      url += part.text.replaceAll(':', '::');
      continue;
    }
    let key = keys.get(part.name);
    if (key === undefined) {
      key = SIMPLE_NAME.test(part.name) && !part.name.startsWith('p__') ? part.name : `p__${n}`;
      n++;
      keys.set(part.name, key);
    }
    const next = parts[i + 1];
    if (next?.kind === 'text' && /^[A-Za-z0-9_]/.test(next.text)) {
      throw new RestAdapterError('REST_INVALID_PATH', `Path \`${route.path.raw}\` (${source}): placeholder \`{${part.name}}\` is followed by \`${next.text}\` without a separator; the router needs \`/\`, \`-\` or \`.\` after a placeholder.`);
    }
    if (next?.kind === 'var') {
      throw new RestAdapterError('REST_INVALID_PATH', `Path \`${route.path.raw}\` (${source}) has two placeholders in a row; separate them with \`/\`, \`-\` or \`.\`.`);
    }
    template += `{${part.name}}`;
    shape += '{}';
    url += `:${key}`;
  }
  if (!template.startsWith('/')) {
    template = '/' + template;
    shape = '/' + shape;
    url = '/' + url;
  }
  return { template, url, shape, keys };
}

/** The router matches an empty trailing placeholder (`/carts/`); a path variable is never empty. */
function nonEmpty(schema: JsonSchema): JsonSchema {
  if (schema['type'] === 'string' && schema['minLength'] === undefined) return { ...schema, minLength: 1 };
  return schema;
}

function findKey(keys: Map<string, string>, name: string): string | undefined {
  const exact = keys.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of keys) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function objectSchema(props: Record<string, JsonSchema>, required: string[]): JsonSchema {
  const s: JsonSchema = { type: 'object', properties: props };
  if (required.length > 0) s['required'] = required;
  return s;
}

/** Plans one route. */
export function planRoute<E extends RestAdapterSource>(entry: E, route: RestRoute): RouteSpec<E> {
  const source = sourceOf(entry, route);
  const path = planPath(route, source);
  const params: ParamReader[] = [];
  const query: ParamReader[] = [];
  const headers: ParamReader[] = [];
  const bodyFields: ParamReader[] = [];
  let wholeBody: ParamReader | undefined;
  let bodyRequired = false;

  const paramProps: Record<string, JsonSchema> = {};
  const queryProps: Record<string, JsonSchema> = {};
  const queryRequired: string[] = [];
  const headerProps: Record<string, JsonSchema> = {};
  const headerRequired: string[] = [];
  const bodyProps: Record<string, JsonSchema> = {};
  const bodyPropsRequired: string[] = [];
  let wholeBodySchema: JsonSchema | undefined;
  const seenParamKeys = new Set<string>();
  const ignoredInputs: ExposedInput[] = [];
  const bodyless = route.method === 'GET' || route.method === 'HEAD';

  const addQuery = (input: ExposedInput): void => {
    if (queryProps[input.name] !== undefined) return;
    query.push({ name: input.name, key: input.name });
    queryProps[input.name] = inputSchema(input);
    if (input.required) queryRequired.push(input.name);
  };

  for (const input of route.inputs) {
    switch (input.in) {
      case 'path': {
        const key = findKey(path.keys, input.name);
        if (key === undefined) {
          // Not a placeholder of this route: the caller can still give it in the query string.
          addQuery(input);
          break;
        }
        params.push({ name: input.name, key });
        if (!seenParamKeys.has(key)) {
          seenParamKeys.add(key);
          paramProps[key] = nonEmpty(inputSchema(input));
        }
        break;
      }
      case 'header': {
        const key = input.name.toLowerCase();
        if (headerProps[key] !== undefined) break;
        headers.push({ name: input.name, key });
        headerProps[key] = inputSchema(input);
        if (input.required) headerRequired.push(key);
        break;
      }
      case 'body': {
        if (bodyless) {
          ignoredInputs.push(input);
          break;
        }
        if (input.name === 'body') {
          wholeBody = { name: 'body', key: 'body' };
          wholeBodySchema = inputSchema(input);
          bodyRequired ||= input.required;
        } else {
          bodyFields.push({ name: input.name, key: input.name });
          bodyProps[input.name] = inputSchema(input);
          if (input.required) {
            bodyPropsRequired.push(input.name);
            bodyRequired = true;
          }
        }
        break;
      }
      case 'query':
      case 'argument':
      default:
        addQuery(input);
        break;
    }
  }

  // Placeholders of the route that no input describes are still read (as strings).
  for (const [name, key] of path.keys) {
    if (!seenParamKeys.has(key)) {
      seenParamKeys.add(key);
      paramProps[key] = { type: 'string', minLength: 1 };
      params.push({ name, key });
    } else if (!params.some((p) => p.name === name)) {
      params.push({ name, key });
    }
  }

  const schema: RouteSchemas = {};
  if (Object.keys(paramProps).length > 0) schema.params = objectSchema(paramProps, Object.keys(paramProps));
  if (query.length > 0) schema.querystring = objectSchema(queryProps, queryRequired);
  if (headers.length > 0) schema.headers = objectSchema(headerProps, headerRequired);
  const expectsBody = wholeBody !== undefined || bodyFields.length > 0;
  let bodySchema: JsonSchema | undefined;
  if (expectsBody) {
    let body: JsonSchema;
    if (wholeBodySchema !== undefined) {
      body = wholeBodySchema;
      if (bodyFields.length > 0 && (body['type'] === 'object' || body['type'] === undefined)) {
        body = { ...body, type: 'object', properties: { ...(body['properties'] as object | undefined), ...bodyProps } };
        if (bodyPropsRequired.length > 0) body['required'] = [...new Set([...((body['required'] as string[] | undefined) ?? []), ...bodyPropsRequired])];
      }
    } else {
      body = objectSchema(bodyProps, bodyPropsRequired);
    }
    bodySchema = body;
    schema.body = bodyRequired ? body : allowNull(body);
  }

  return {
    entry,
    route,
    method: route.method,
    template: path.template,
    url: path.url,
    shape: path.shape,
    source,
    operation: route.call?.target ?? route.name ?? `${route.method} ${path.template}`,
    params,
    query,
    headers,
    wholeBody,
    bodyFields,
    expectsBody,
    bodyRequired,
    ignoredInputs,
    bodySchema,
    docs: schema,
    schema: {
      ...(schema.params === undefined ? {} : { params: stripDocs(schema.params) }),
      ...(schema.querystring === undefined ? {} : { querystring: stripDocs(schema.querystring) }),
      ...(schema.headers === undefined ? {} : { headers: stripDocs(schema.headers) }),
      ...(schema.body === undefined ? {} : { body: stripDocs(schema.body) }),
    },
  };
}

function normalisePath(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/**
 * Plans every route of every adapter. Throws `REST_ROUTE_CONFLICT` when a method + path is declared
 * twice (naming both sources) and `REST_RESERVED_PATH` when a resource uses a built-in path.
 */
export function buildRouteTable<E extends RestAdapterSource>(entries: readonly E[]): Array<RouteSpec<E>> {
  const specs: Array<RouteSpec<E>> = [];
  const byKey = new Map<string, RouteSpec<E>>();
  // Equal schemas become the same object: ajv caches compiled validators by schema identity, so
  // the many identical route schemas of a large file set are compiled once.
  const interned = new Map<string, JsonSchema>();
  const intern = (schema: JsonSchema | undefined): JsonSchema | undefined => {
    if (schema === undefined) return undefined;
    const key = JSON.stringify(schema);
    const prior = interned.get(key);
    if (prior !== undefined) return prior;
    interned.set(key, schema);
    return schema;
  };
  for (const entry of entries) {
    for (const route of entry.adapter.routes) {
      const spec = planRoute(entry, route);
      for (const part of ['params', 'querystring', 'headers', 'body'] as const) {
        const s = intern(spec.schema[part]);
        if (s !== undefined) spec.schema[part] = s;
      }
      const plain = normalisePath(spec.template);
      if (RESERVED_PATHS.includes(plain)) {
        throw new RestAdapterError('REST_RESERVED_PATH', `Resource path \`${spec.template}\` (${spec.source}) collides with the built-in endpoint \`${plain}\`. Rename the resource path; ${RESERVED_PATHS.join(', ')} are served by the adapter.`);
      }
      const key = `${spec.method} ${normalisePath(spec.shape)}`;
      const prior = byKey.get(key);
      if (prior !== undefined) {
        throw new RestAdapterError('REST_ROUTE_CONFLICT', `\`${spec.method} ${spec.template}\` is declared twice: ${prior.source} and ${spec.source}. Each method and path may be exposed once per port.`);
      }
      byKey.set(key, spec);
      specs.push(spec);
    }
  }
  return specs;
}
