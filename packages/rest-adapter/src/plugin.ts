/**
 * `restAdapterPlugin`: serves one or several `exposes: type: rest` adapters inside a fastify app.
 * Everything is planned once at registration (routes, schemas, auth, OpenAPI); a request only reads
 * its inputs, calls the prepared upstream call and sends the outcome.
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preValidationHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { trackConnectionAbort, type AbortHandle, type Consumer, type ConsumerResult } from '@naftiko-ts/consumer';
import type { Ref, UrlTemplate } from '@naftiko-ts/spec';
import { createAuthCheck, type AuthCheck, type SecretLookup } from './auth.js';
import { RestAdapterError } from './errors.js';
import { createMetrics, type RestMetrics } from './metrics.js';
import { openApiFromRoutes, type OpenApiDocument } from './openapi.js';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, problem, ProblemError, type ProblemSlug } from './problem.js';
import { SecretSet } from './redact.js';
import { buildRouteTable, RESERVED_PATHS, type RestAdapterEntry, type RouteSpec } from './routes.js';
import { isRateLimitHeader, readConsumerError, upstreamUnauthorizedDetail, type UpstreamResponse } from './upstream.js';

export interface RestAdapterPluginOptions {
  /** The adapters to serve (several capability files may share one port). */
  adapters: readonly RestAdapterEntry[];
  /** Readiness for `GET /readyz` (default: always ready). */
  isReady?: () => boolean;
  /** Values for the exposed-side `authentication` bind variables (`VAR`, `namespace.VAR` or the env key). */
  exposedSecrets?: Record<string, string>;
  /** Environment read for exposed-side auth bind variables not in `exposedSecrets`. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Maximum request body in bytes for the adapter's routes. Default: the app's `bodyLimit` (fastify: 1 MiB). */
  bodyLimit?: number;
  /** One log line per request (method, route, status, upstream status, duration). Default true. */
  logRequests?: boolean;
  /** Registry for the metrics; default a new one (never prom-client's global registry). */
  registry?: Registry;
  /** The result of `prepareRestAdapter` when the caller already prepared (avoids planning twice). */
  prepared?: PreparedRestAdapter;
}

/** Everything planned at start-up, before any socket is opened. */
export interface PreparedRestAdapter {
  routes: ReadonlyArray<RouteSpec<RestAdapterEntry>>;
  auth: ReadonlyMap<RestAdapterEntry, AuthCheck>;
  /** The OpenAPI document (built on first access: a large file set starts faster). */
  readonly openapi: OpenApiDocument;
  /** Every secret value to keep out of logs and responses (exposed auth + consumers' secrets). */
  secrets: readonly string[];
  /** Header names that carry credentials (for `redact` paths). */
  credentialHeaders: readonly string[];
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const JSON_SUFFIX = /^application\/[a-z0-9.!#$&^_+-]+\+json(?![a-z0-9.+-])/i;
const JSON_MEDIA = /^application\/(?:[a-z0-9.!#$&^_+-]+\+)?json(?![a-z0-9.+-])/i;
const UNMATCHED = 'unmatched';
const UPSTREAM_STATUS = 'naftikoUpstreamStatus';
const ROUTE_TEMPLATE = 'naftikoRoute';
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function orderMethods(methods: Iterable<string>): string[] {
  return [...methods].sort((a, b) => (METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99));
}

interface MethodEntry {
  pattern: RegExp;
  template: string;
  served: ReadonlySet<string>;
  params: number;
}

/** A path pattern equivalent to the router's match of a route path (a placeholder = a run without `/`). */
function methodEntry(parts: UrlTemplate['parts'], template: string, served: ReadonlySet<string>): MethodEntry {
  let re = '';
  let params = 0;
  for (const part of parts) {
    if (part.kind === 'text') re += part.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else {
      re += '[^/]*?';
      params++;
    }
  }
  if (!re.startsWith('/')) re = '/' + re;
  return { pattern: new RegExp(`^${re}$`), template, served, params };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Status of the upstream response for this request (0 when none). */
    naftikoUpstreamStatus: number;
    /** Route template of a request answered 405 by the not-found handler. */
    naftikoRoute: string;
  }
  interface FastifyContextConfig {
    /** The route template (`/v1/carts/{cartid}`) for metrics and logs. */
    naftikoRoute?: string;
    /** Router key → path variable name, for placeholders whose name the router cannot take. */
    naftikoParamNames?: Record<string, string>;
  }
}

/** Plans every adapter: route table (conflicts, reserved paths), auth checks, OpenAPI. Throws `RestAdapterError`. */
export function prepareRestAdapter(options: Pick<RestAdapterPluginOptions, 'adapters' | 'exposedSecrets' | 'env'>): PreparedRestAdapter {
  const { adapters } = options;
  if (!Array.isArray(adapters) || adapters.length === 0) {
    throw new RestAdapterError('REST_INVALID_OPTIONS', 'No REST adapter to serve: pass `adapters: [{ capability, adapter, consumer }]`.');
  }
  for (const [i, a] of adapters.entries()) {
    if (a?.adapter?.type !== 'rest' || a.capability === undefined || a.consumer === undefined) {
      throw new RestAdapterError('REST_INVALID_OPTIONS', `\`adapters[${i}]\` must be \`{ capability, adapter, consumer }\` with a REST adapter (\`type: rest\`).`);
    }
  }
  const routes = buildRouteTable(adapters);
  const env = options.env ?? process.env;
  const exposed = options.exposedSecrets ?? {};
  const lookup: SecretLookup = (ref: Extract<Ref, { kind: 'bind' }>) =>
    exposed[`${ref.namespace}.${ref.variable}`] ?? exposed[ref.variable] ?? exposed[ref.sourceKey] ?? env[ref.sourceKey];
  const auth = new Map<RestAdapterEntry, AuthCheck>();
  const secrets = new Set<string>();
  const credentialHeaders = new Set<string>();
  for (const a of adapters) {
    if (a.adapter.authentication !== undefined) {
      const check = createAuthCheck(a.adapter.authentication, a.adapter.namespace, lookup);
      auth.set(a, check);
      for (const s of check.secrets) secrets.add(s);
      for (const h of check.headerNames) credentialHeaders.add(h);
    }
    for (const s of a.consumer.secretValues()) secrets.add(s);
  }
  for (const v of Object.values(exposed)) if (typeof v === 'string' && v !== '') secrets.add(v);
  let openapi: OpenApiDocument | undefined;
  return {
    routes,
    auth,
    get openapi(): OpenApiDocument {
      return (openapi ??= openApiFromRoutes(adapters, routes));
    },
    secrets: [...secrets],
    credentialHeaders: [...credentialHeaders],
  };
}

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** False for fastify's null logger (`logger: false`) and a logger at level `silent`; true for any other logger. */
export function isLogging(log: unknown): boolean {
  if (typeof log !== 'object' || log === null) return false;
  if (typeof (log as { info?: unknown }).info !== 'function') return false;
  if ((log as { level?: unknown }).level === 'silent') return false;
  // fastify's null logger (abstract-logging) and pino's disabled levels share one no-op function.
  const l = log as Record<string, unknown>;
  return !(l['info'] === l['error'] && l['error'] === l['fatal']);
}

function instanceOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Sends a problem+json response. */
export function sendProblem(
  reply: FastifyReply,
  slug: ProblemSlug,
  detail: string,
  options?: { headers?: Record<string, string> | undefined; extensions?: Record<string, unknown> | undefined; status?: number },
): FastifyReply {
  const doc = problem(slug, detail, instanceOf(reply.request), options?.extensions);
  if (options?.status !== undefined) doc.status = options.status;
  reply.code(doc.status);
  reply.header('content-type', PROBLEM_CONTENT_TYPE);
  if (options?.headers !== undefined) for (const [k, v] of Object.entries(options.headers)) reply.header(k, v);
  return reply.send(JSON.stringify(doc));
}

const LOCATION_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

interface ValidationIssue {
  in: string;
  name?: string;
  message: string;
}

function paramNames(spec: RouteSpec<RestAdapterEntry>): Record<string, string> | undefined {
  const odd = spec.params.filter((p) => p.key !== p.name);
  return odd.length === 0 ? undefined : Object.fromEntries(odd.map((p) => [p.key, p.name]));
}

function validationIssues(error: FastifyError, paramNames: Record<string, string> | undefined): ValidationIssue[] {
  const where = LOCATION_NAMES[error.validationContext ?? 'body'] ?? 'body';
  const list = error.validation ?? [];
  // An optional body is `anyOf: [null, schema]`: report the schema branch, not the null branch.
  const relevant = list.filter((e) => e.keyword !== 'anyOf' && !String(e.schemaPath).startsWith('#/anyOf/0/'));
  const issues: ValidationIssue[] = [];
  for (const e of relevant.length > 0 ? relevant : list) {
    const params = e.params as Record<string, unknown>;
    let name = e.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
    if (e.keyword === 'required' && typeof params['missingProperty'] === 'string') {
      name = name === '' ? params['missingProperty'] : `${name}.${params['missingProperty']}`;
    }
    if (where === 'path' && paramNames !== undefined) name = paramNames[name] ?? name;
    const issue: ValidationIssue = { in: where, message: e.message ?? 'is invalid' };
    if (name !== '') issue.name = name;
    issues.push(issue);
  }
  return issues;
}

function describeIssue(i: ValidationIssue): string {
  if (i.in === 'body' && i.name === undefined) return `the request body ${i.message}`;
  if (i.in === 'body') return `body field \`${i.name}\` ${i.message}`;
  return `${i.in} parameter \`${i.name ?? '?'}\` ${i.message}`;
}

function mediaTypeOf(request: FastifyRequest): string {
  const ct = request.headers['content-type'];
  return typeof ct === 'string' ? ct.split(';')[0]!.trim().slice(0, 100) : '';
}

async function restAdapterPluginImpl(app: FastifyInstance, options: RestAdapterPluginOptions): Promise<void> {
  const prepared = options.prepared ?? prepareRestAdapter(options);
  const metrics: RestMetrics = createMetrics(options.registry);
  const isReady = options.isReady ?? (() => true);
  const logRequests = options.logRequests !== false;
  const secretSet = new SecretSet(prepared.secrets);
  const redact = (s: string): string => secretSet.redact(s);
  let openapiJson: string | undefined;
  // The id sent upstream as `X-Request-Id`: the client's own (when it is a sane token), else the
  // generated request id when logging is on (so upstream and gateway logs correlate), else none.
  const logging = isLogging(app.log);
  const requestIdOf = (request: FastifyRequest): string | undefined => {
    const given = request.headers['x-request-id'];
    if (typeof given === 'string' && REQUEST_ID.test(given)) return given;
    return logging ? String(request.id) : undefined;
  };

  if (!app.hasRequestDecorator(UPSTREAM_STATUS)) app.decorateRequest(UPSTREAM_STATUS, 0);
  if (!app.hasRequestDecorator(ROUTE_TEMPLATE)) app.decorateRequest(ROUTE_TEMPLATE, '');

  // `*+json` bodies are JSON too (fastify only knows `application/json`).
  if (!app.hasContentTypeParser(JSON_SUFFIX)) {
    const json = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser(JSON_SUFFIX, { parseAs: 'string' }, (request, body, done) => {
      if (body === '' || body === undefined) done(null, undefined);
      else json(request, body as string, done);
    });
  }

  // --- authentication hooks ---------------------------------------------------------------
  const unauthorized = (checks: AuthCheck[]): ProblemError => {
    const how = checks
      .map((c) => (c.type === 'bearer' ? 'an `Authorization: Bearer <token>` header' : c.type === 'basic' ? 'an `Authorization: Basic …` header' : c.queryNames.length > 0 ? `the \`${c.queryNames[0]}\` query parameter` : `the \`${c.headerNames[0]}\` header`))
      .join(' or ');
    return new ProblemError('unauthorized', `Missing or invalid credentials: send ${how}.`, {
      headers: { 'www-authenticate': checks.map((c) => c.challenge).join(', ') },
    });
  };
  const authHook = (checks: AuthCheck[]): onRequestHookHandler => {
    const error = unauthorized(checks);
    if (checks.length === 1) {
      const check = checks[0]!;
      return (request, _reply, done) => (check.check(request) ? done() : done(error));
    }
    return (request, _reply, done) => {
      for (const c of checks) if (c.check(request)) return done();
      done(error);
    };
  };
  const allChecks = [...prepared.auth.values()];
  const builtinAuth = allChecks.length > 0 ? authHook(allChecks) : undefined;

  // --- failures ------------------------------------------------------------------------------
  const sendUpstreamStatus = (reply: FastifyReply, spec: RouteSpec<RestAdapterEntry>, res: UpstreamResponse, unauthorizedDetail: string): FastifyReply => {
    const status = res.status;
    if (status === 401) {
      return sendProblem(reply, 'upstream-unauthorized', unauthorizedDetail, { extensions: { upstreamStatus: 401 } });
    }
    if (status >= 400 && status < 500) {
      reply.code(status);
      if (status === 429) {
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && isRateLimitHeader(k)) reply.header(k, v);
      }
      const raw = res.raw;
      if (raw === undefined || raw.length === 0) return reply.send();
      reply.header('content-type', res.contentType ?? 'application/octet-stream');
      return reply.send(raw);
    }
    return sendProblem(reply, 'upstream-error', `The upstream API answered ${status} to \`${spec.operation}\`.`, { extensions: { upstreamStatus: status } });
  };

  const sendFailure = (request: FastifyRequest, reply: FastifyReply, spec: RouteSpec<RestAdapterEntry>, err: unknown, unauthorizedDetail: string): FastifyReply => {
    const failure = readConsumerError(err);
    if (failure === undefined) {
      request.log.error({ err }, 'REST adapter: unexpected error while calling upstream');
      metrics.observeUpstream(spec.operation, 0);
      return sendProblem(reply, 'internal-error', 'An unexpected error occurred; see the server log.');
    }
    const upstreamStatus = failure.response?.status ?? 0;
    request.naftikoUpstreamStatus = upstreamStatus;
    if (failure.code !== 'MISSING_INPUT' && failure.code !== 'INVALID_INPUT' && failure.code !== 'CONSUMER_ABORTED') {
      metrics.observeUpstream(spec.operation, upstreamStatus);
    }
    if (failure.response !== undefined && (failure.code === 'UPSTREAM_STATUS' || failure.response.status >= 400)) {
      return sendUpstreamStatus(reply, spec, failure.response, unauthorizedDetail);
    }
    const message = err instanceof Error ? redact(err.message) : '';
    switch (failure.code) {
      case 'MISSING_INPUT':
        return sendProblem(reply, 'missing-input', message || 'A required input is missing.');
      case 'INVALID_INPUT':
        return sendProblem(reply, 'invalid-input', message || 'An input is invalid.');
      case 'CONSUMER_TIMEOUT':
        request.log.warn({ err, operation: spec.operation }, 'upstream timeout');
        return sendProblem(reply, 'upstream-timeout', `The upstream API did not answer \`${spec.operation}\` in time.`);
      case 'CONSUMER_CONNECT':
        request.log.warn({ err, operation: spec.operation }, 'upstream unreachable');
        return sendProblem(reply, 'upstream-unreachable', `Could not reach the upstream API for \`${spec.operation}\` (connection refused, reset or failed).`);
      case 'UPSTREAM_BAD_BODY':
      case 'UNSUPPORTED_FORMAT':
        request.log.warn({ err, operation: spec.operation }, 'upstream sent an invalid body');
        return sendProblem(reply, 'upstream-bad-body', `The upstream API answered \`${spec.operation}\` with a body that could not be read.`, upstreamStatus > 0 ? { extensions: { upstreamStatus } } : undefined);
      case 'UPSTREAM_TOO_LARGE':
        request.log.warn({ err, operation: spec.operation }, 'upstream body too large');
        return sendProblem(reply, 'upstream-bad-body', `The upstream response to \`${spec.operation}\` is larger than the configured limit.`);
      case 'CONSUMER_ABORTED':
        return sendProblem(reply, 'request-aborted', 'The client closed the request; the upstream call was aborted.');
      case 'UPSTREAM_STATUS':
        return sendProblem(reply, 'upstream-error', `The upstream API failed \`${spec.operation}\`.`);
      case 'CONSUMER_CONFIG':
      default:
        request.log.error({ err, operation: spec.operation }, 'REST adapter: consumer failure');
        return sendProblem(reply, 'internal-error', 'The gateway is misconfigured; see the server log.');
    }
  };

  // --- metrics and the request log line -----------------------------------------------------
  const record = (route: string, request: FastifyRequest, reply: FastifyReply, recorder?: (method: string, status: number, seconds: number) => void): void => {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    if (recorder !== undefined) recorder(request.method, status, ms / 1000);
    else metrics.observeRequest(request.method, route, status, ms / 1000);
    if (logRequests) {
      const upstreamStatus = request.naftikoUpstreamStatus;
      const durationMs = Math.round(ms * 100) / 100;
      request.log.info(
        upstreamStatus > 0 ? { method: request.method, route, status, upstreamStatus, durationMs } : { method: request.method, route, status, durationMs },
        'request completed',
      );
    }
  };
  const observe = (route: string) => {
    const recorder = metrics.requestRecorder(route);
    return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      record(route, request, reply, recorder);
      done();
    };
  };

  // --- routes ------------------------------------------------------------------------------
  const makeHandler = (spec: RouteSpec<RestAdapterEntry>): RouteHandlerMethod => {
    const { route } = spec;
    if (route.mode !== 'call' || route.call === undefined) {
      const detail = `\`${spec.method} ${spec.template}\` uses \`${route.mode}\`, which this engine does not run yet (only \`call\`).`;
      return (_request, reply) => sendProblem(reply, 'not-implemented', detail);
    }
    const consumer: Consumer = spec.entry.consumer;
    const prepared = consumer.prepare(route.call, route.output);
    const unauthorizedDetail = upstreamUnauthorizedDetail(spec.entry.capability, route.call.namespace);
    const readInputs = inputReader(spec);
    const operation = spec.operation;
    const observeUpstream = metrics.upstreamCounter(operation);
    return async function naftikoRestHandler(request, reply) {
      const inputs = readInputs(request);
      // A client that disconnects aborts the upstream call: one 'close' listener per connection
      // (not an AbortController and listeners per request).
      const abort: AbortHandle = { aborted: false, onAbort: undefined };
      const inflight = trackConnectionAbort(request.raw.socket, abort);
      const requestId = requestIdOf(request);
      let result: ConsumerResult;
      try {
        result = await prepared.invoke(inputs, requestId === undefined ? { abort } : { abort, requestId });
      } catch (err) {
        inflight?.delete(abort);
        return sendFailure(request, reply, spec, err, unauthorizedDetail);
      }
      inflight?.delete(abort);
      const status = result.status;
      request.naftikoUpstreamStatus = status;
      observeUpstream(status);
      if (status < 200 || status >= 300) return sendUpstreamStatus(reply, spec, result, unauthorizedDetail);
      reply.code(status);
      if (result.passthrough) {
        // Hot path: the upstream bytes as they came, never parsed nor re-serialised.
        const raw = result.raw;
        if (raw.length === 0) return reply.send();
        const contentType = result.contentType;
        // O(1) sanity check instead of a parse: a JSON document cannot start with `<` (an HTML error page).
        if ((contentType === undefined || contentType.includes('json')) && !looksLikeJson(raw)) {
          request.log.warn({ operation, upstreamStatus: status }, 'upstream sent a body that is not JSON');
          return sendProblem(reply, 'upstream-bad-body', `The upstream API answered \`${operation}\` with a body that is not JSON.`, { extensions: { upstreamStatus: status } });
        }
        reply.header('content-type', contentType ?? JSON_CONTENT_TYPE);
        return reply.send(raw);
      }
      if (status === 204 || status === 205 || result.raw.length === 0) return reply.send();
      let mapped: unknown;
      try {
        mapped = result.mapped;
      } catch (err) {
        return sendFailure(request, reply, spec, err, unauthorizedDetail);
      }
      reply.header('content-type', JSON_CONTENT_TYPE);
      return reply.send(JSON.stringify(mapped === undefined ? null : mapped));
    };
  };

  const bodyHook = (spec: RouteSpec<RestAdapterEntry>): preValidationHookHandler => {
    const required = spec.bodyRequired;
    return (request, _reply, done) => {
      const body = request.body;
      if (body === undefined || body === null) {
        if (required) return done(new ProblemError('invalid-input', 'The request body is required (application/json).', { extensions: { errors: [{ in: 'body', message: 'is required' }] } }));
        request.body = null;
        return done();
      }
      const ct = request.headers['content-type'];
      if (typeof ct !== 'string' || !JSON_MEDIA.test(ct)) {
        return done(new ProblemError('unsupported-media-type', `Content-Type \`${mediaTypeOf(request) || '(none)'}\` is not supported here; send \`application/json\`.`));
      }
      done();
    };
  };

  const explicitHead = new Set(prepared.routes.filter((r) => r.method === 'HEAD').map((r) => r.shape));
  const byShape = new Map<string, Array<RouteSpec<RestAdapterEntry>>>();
  for (const spec of prepared.routes) {
    const list = byShape.get(spec.shape);
    if (list === undefined) byShape.set(spec.shape, [spec]);
    else list.push(spec);
    const check = prepared.auth.get(spec.entry);
    app.route({
      method: spec.method,
      url: spec.url,
      schema: spec.schema,
      exposeHeadRoute: spec.method === 'GET' && !explicitHead.has(spec.shape),
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
      config: { naftikoRoute: spec.template, naftikoParamNames: paramNames(spec) },
      onResponse: observe(spec.template),
      ...(check === undefined ? {} : { onRequest: authHook([check]) }),
      ...(spec.expectsBody ? { preValidation: bodyHook(spec) } : {}),
      handler: makeHandler(spec),
    });
  }

  // 405 for every other method on a known path: answered from the not-found handler with a
  // table of path patterns (registering every other method on every path would multiply the
  // router's size by ~15 for a large file set; a 405 is not a hot path).
  const methodTable: MethodEntry[] = [];
  for (const [shape, specs] of byShape) {
    const served = new Set<string>(specs.map((s) => s.method));
    if (served.has('GET') && !explicitHead.has(shape)) served.add('HEAD');
    methodTable.push(methodEntry(specs[0]!.route.path.parts, specs[0]!.template, served));
  }

  // --- built-in endpoints ------------------------------------------------------------------
  const builtin = (url: string, handler: RouteHandlerMethod, protect: boolean): void => {
    if (!RESERVED_PATHS.includes(url)) throw new RestAdapterError('REST_INVALID_OPTIONS', `internal: ${url} is not reserved`);
    app.route({
      method: 'GET',
      url,
      config: { naftikoRoute: url },
      onResponse: observe(url),
      ...(protect && builtinAuth !== undefined ? { onRequest: builtinAuth } : {}),
      handler,
    });
    methodTable.push(methodEntry([{ kind: 'text', text: url }], url, new Set(['GET', 'HEAD'])));
  };
  builtin('/healthz', (_request, reply) => reply.code(200).header('content-type', JSON_CONTENT_TYPE).send('{"status":"ok"}'), false);
  builtin(
    '/readyz',
    (_request, reply) =>
      isReady()
        ? reply.code(200).header('content-type', JSON_CONTENT_TYPE).send('{"status":"ready"}')
        : sendProblem(reply, 'not-ready', 'Not ready yet: the start-up checks have not passed.', { headers: { 'retry-after': '1' } }),
    false,
  );
  builtin('/openapi.json', (_request, reply) => reply.code(200).header('content-type', JSON_CONTENT_TYPE).send((openapiJson ??= JSON.stringify(prepared.openapi))), true);
  builtin(
    '/metrics',
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.code(200).header('content-type', metrics.registry.contentType).send(text);
    },
    true,
  );

  // --- errors, 404, request log ------------------------------------------------------------
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (ProblemError.isInstance(error)) {
      return sendProblem(reply, error.slug, error.detail, { headers: error.headers, extensions: error.extensions });
    }
    if (error.validation !== undefined) {
      const issues = validationIssues(error, request.routeOptions.config?.naftikoParamNames);
      const detail = `Invalid input: ${issues.map(describeIssue).join('; ')}.`;
      return sendProblem(reply, 'invalid-input', detail, { extensions: { errors: issues } });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 'unsupported-media-type', `Content-Type \`${mediaTypeOf(request) || '(none)'}\` is not supported; send \`application/json\`.`);
      case 'FST_ERR_CTP_BODY_TOO_LARGE': {
        const limit = request.routeOptions.bodyLimit;
        return sendProblem(reply, 'payload-too-large', `The request body is larger than the limit${typeof limit === 'number' ? ` of ${limit} bytes` : ''}.`);
      }
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, 'malformed-json', 'The request body is not valid JSON; nothing was sent upstream.');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, 'malformed-json', 'The request body is empty but Content-Type says JSON; send a JSON document or no Content-Type.');
      default:
        break;
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 400 && error instanceof SyntaxError) {
      return sendProblem(reply, 'malformed-json', 'The request body is not valid JSON; nothing was sent upstream.');
    }
    if (status >= 400 && status < 500) {
      const slug: ProblemSlug = status === 404 ? 'not-found' : status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : 'bad-request';
      return sendProblem(reply, slug, redact(error.message), { status, extensions: PROBLEMS[slug].status === status ? undefined : { code: error.code } });
    }
    request.log.error({ err: error }, 'REST adapter: unhandled error');
    return sendProblem(reply, 'internal-error', 'An unexpected error occurred; see the server log.');
  });

  // Most static patterns first: their template labels the 405 in metrics and logs.
  methodTable.sort((a, b) => a.params - b.params);
  app.setNotFoundHandler((request, reply) => {
    const path = instanceOf(request);
    let allowed: Set<string> | undefined;
    for (const m of methodTable) {
      if (!m.pattern.test(path)) continue;
      if (allowed === undefined) {
        allowed = new Set(m.served);
        request.naftikoRoute = m.template;
      } else for (const x of m.served) allowed.add(x);
    }
    if (allowed !== undefined && !allowed.has(request.method)) {
      const allow = orderMethods(allowed);
      return sendProblem(reply, 'method-not-allowed', `\`${request.naftikoRoute}\` does not support ${request.method}; allowed: ${allow.join(', ')}.`, {
        headers: { allow: allow.join(', ') },
        extensions: { allow },
      });
    }
    request.naftikoRoute = '';
    return sendProblem(reply, 'not-found', `No resource at \`${path.slice(0, 200)}\`.`);
  });

  // Requests no route matched (404, 405) are measured here; the adapter's routes measure themselves
  // (route-level hooks, so the host app's own routes are left alone).
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) record(request.naftikoRoute || UNMATCHED, request, reply);
    done();
  });

  app.decorate('naftikoRest', {
    get openapi(): OpenApiDocument {
      return prepared.openapi;
    },
    get registry(): Registry {
      return metrics.registry;
    },
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `restAdapterPlugin`: the OpenAPI document served and the metrics registry. */
    naftikoRest: { readonly openapi: OpenApiDocument; registry: Registry };
  }
}

/** First non-whitespace byte can start a JSON text: `{ [ " - 0-9 t f n`. */
function looksLikeJson(raw: Buffer): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0xef && i === 0) {
      i += 2; // UTF-8 BOM
      continue;
    }
    return c === 0x7b || c === 0x5b || c === 0x22 || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
  }
  return true;
}

function inputReader(spec: RouteSpec<RestAdapterEntry>): (request: FastifyRequest) => Record<string, unknown> {
  const { params, query, headers, wholeBody, bodyFields } = spec;
  return (request) => {
    const inputs: Record<string, unknown> = {};
    if (params.length > 0) {
      const p = request.params as Record<string, unknown>;
      for (let i = 0; i < params.length; i++) {
        const r = params[i]!;
        const v = p[r.key];
        if (v !== undefined) inputs[r.name] = v;
      }
    }
    if (query.length > 0) {
      const q = request.query as Record<string, unknown>;
      for (let i = 0; i < query.length; i++) {
        const r = query[i]!;
        const v = q[r.key];
        if (v !== undefined) inputs[r.name] = v;
      }
    }
    if (headers.length > 0) {
      const h = request.headers as Record<string, unknown>;
      for (let i = 0; i < headers.length; i++) {
        const r = headers[i]!;
        const v = h[r.key];
        if (v !== undefined) inputs[r.name] = v;
      }
    }
    const body = request.body;
    if (body !== undefined && body !== null) {
      if (wholeBody !== undefined) inputs[wholeBody.name] = body;
      if (bodyFields.length > 0 && typeof body === 'object' && !Array.isArray(body)) {
        const b = body as Record<string, unknown>;
        for (let i = 0; i < bodyFields.length; i++) {
          const r = bodyFields[i]!;
          if (Object.hasOwn(b, r.key)) inputs[r.name] = b[r.key];
        }
      }
    }
    return inputs;
  };
}

/** Fastify plugin serving the REST adapters (wrapped with fastify-plugin: hooks, 404 and error handler apply to the app). */
export const restAdapterPlugin = fp(restAdapterPluginImpl, { fastify: '5.x', name: '@naftiko-ts/rest-adapter' });
