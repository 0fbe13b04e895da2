import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type {
  Capability,
  ConsumedApi,
  ConsumedOperation,
  ConsumedParameter,
  Expr,
  OutputShape,
  ResolvedCall,
} from '@naftiko-ts/spec';
import { Agent, type Dispatcher } from 'undici';
import { createAuthPlan, type AuthPlan } from './auth.js';
import { compileBodyParams, compileBodyTemplate, type BodyBuilder } from './body.js';
import { ConsumerError } from './errors.js';
import { looksLikeJson, parseJson, parseLoose, Result } from './response.js';
import { isConnectFailure, send, type TransportOptions, type WireResponse } from './transport.js';
import type {
  CallOptions,
  Consumer,
  ConsumerResult,
  CreateConsumerOptions,
  Logger,
  PreparedCall,
  StartupProblem,
} from './types.js';
import { encodePathSegment, encodeQueryComponent, parseUrlTemplate } from './url.js';
import {
  BindStore,
  compileExpr,
  readInput,
  readInputLoose,
  toText,
  type Getter,
  type Inputs,
  type RawTemplateScope,
} from './values.js';

const MiB = 1024 * 1024;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
/** Headers never taken from inputs (hop-by-hop or computed by the client). */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_HEADER_VALUE_RE = /[\r\n\0]/;
const RATE_LIMIT_RESET = 'x-rate-limit-time-reset-ms';
/** Header values never logged, whatever the auth scheme. */
const ALWAYS_REDACTED = ['authorization', 'x-auth-token', 'cookie', 'proxy-authorization', 'x-api-key'];

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface NamespaceRuntime {
  namespace: string;
  origin: string;
  basePath: string;
  baseSearch: string;
  auth: AuthPlan;
  problems: StartupProblem[];
}

interface PathSegmentVar {
  name: string;
  get: Getter;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function headerValue(v: unknown): string {
  return Array.isArray(v) ? v.map(toText).join(', ') : toText(v);
}

function exprUsesInputs(expr: Expr): boolean {
  if (expr.kind === 'input') return true;
  if (expr.kind === 'template') return expr.parts.some((p) => p.kind === 'ref' && p.ref.kind !== 'bind');
  return false;
}

/** Creates a consumer for every `consumes` block of a capability. Everything is resolved once here. */
export function createConsumer(options: CreateConsumerOptions): Consumer {
  const capability: Capability = options.capability;
  const env = options.env ?? process.env;
  const vars = options.vars ?? {};
  const logger = options.logger ?? noopLogger;
  const logDebug =
    options.logger !== undefined &&
    (typeof (options.logger as { isLevelEnabled?: unknown }).isLevelEnabled !== 'function' ||
      (options.logger as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('debug'));
  const timeouts = {
    connect: options.timeouts?.connect ?? 5_000,
    headers: options.timeouts?.headers ?? 30_000,
    body: options.timeouts?.body ?? 30_000,
  };
  const maxResponseBytes = options.maxResponseBytes ?? 10 * MiB;
  const retryMax = Math.max(0, options.retry?.max ?? 2);
  const retryMaxDelay = Math.max(0, options.retry?.maxDelayMs ?? 5_000);
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const clock = options.clock ?? Date.now;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: timeouts.connect } });
  const transportBase: Omit<TransportOptions, 'target'> = {
    dispatcher,
    headersTimeout: timeouts.headers,
    bodyTimeout: timeouts.body,
    maxResponseBytes,
  };

  const binds = new BindStore(capability, {
    env,
    secrets: options.secrets ?? {},
    readFile: options.readFile ?? ((p: string) => readFileSync(p, 'utf8')),
  });
  const problems: StartupProblem[] = binds.problems;
  const exposeNamespaces = new Set<string>();
  for (const adapter of capability.exposes) if (adapter.namespace) exposeNamespaces.add(adapter.namespace);
  const scope: RawTemplateScope = {
    binds,
    context: { binds: capability.binds, exposeNamespaces: [...exposeNamespaces] },
  };

  // --- namespaces: baseUri and auth --------------------------------------------------------
  const namespaces = new Map<string, NamespaceRuntime>();
  const consumes = new Map<string, ConsumedApi>(capability.consumes.map((c) => [c.namespace, c]));
  for (const ns of Object.keys(options.baseUriOverrides ?? {})) {
    if (!consumes.has(ns)) {
      problems.push({
        kind: 'invalid-base-uri',
        name: ns,
        hint: `--base-uri names ${ns}, but the capability consumes only ${[...consumes.keys()].join(', ') || 'nothing'}`,
        namespace: ns,
      });
    }
  }
  for (const api of capability.consumes) {
    const own: StartupProblem[] = [];
    const override = options.baseUriOverrides?.[api.namespace];
    const template = override !== undefined ? parseUrlTemplate(override) : api.baseUri;
    let url = '';
    for (const part of template.parts) {
      if (part.kind === 'text') {
        url += part.text;
        continue;
      }
      const envName = part.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
      const value = Object.prototype.hasOwnProperty.call(vars, part.name) ? vars[part.name] : env[envName];
      if (value === undefined || value === '') {
        own.push({
          kind: 'missing-variable',
          name: part.name,
          hint: `set ${envName} or pass --var ${part.name}=…`,
          namespace: api.namespace,
        });
        continue;
      }
      url += encodePathSegment(value);
    }
    let origin = '';
    let basePath = '';
    let baseSearch = '';
    if (own.length === 0) {
      try {
        const u = new URL(url);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
        origin = u.origin;
        basePath = u.pathname.replace(/\/+$/, '');
        baseSearch = u.search.length > 1 ? u.search.slice(1) : '';
      } catch {
        own.push({
          kind: 'invalid-base-uri',
          name: api.namespace,
          hint: `make the baseUri of ${api.namespace} an absolute http(s) URL${override !== undefined ? ' (check --base-uri)' : ''}`,
          namespace: api.namespace,
        });
      }
    }
    problems.push(...own);
    const auth = createAuthPlan(api.authentication, {
      binds,
      namespace: api.namespace,
      transport: transportBase,
      clock,
      oauth2SkewMs: options.oauth2?.refreshSkewMs ?? 30_000,
      oauth2ClientAuth: options.oauth2?.clientAuth ?? 'basic',
    });
    namespaces.set(api.namespace, { namespace: api.namespace, origin, basePath, baseSearch, auth, problems: own });
  }

  const secretList = (): string[] => {
    const all = new Set<string>(binds.values());
    for (const ns of namespaces.values()) for (const s of ns.auth.secrets()) all.add(s);
    all.delete('');
    return [...all];
  };

  const scrub = (raw: Buffer): Buffer => {
    let text: string | undefined;
    for (const s of secretList()) {
      if (s.length < 4) continue;
      text ??= raw.toString('utf8');
      if (text.includes(s)) text = text.split(s).join('[REDACTED]');
    }
    return text === undefined || text === raw.toString('utf8') ? raw : Buffer.from(text, 'utf8');
  };

  // --- prepare ------------------------------------------------------------------------------
  function prepare(call: ResolvedCall, output?: OutputShape): PreparedCall {
    const op: ConsumedOperation = call.consumed;
    const target = call.target || `${op.namespace}.${op.name}`;
    const runtime = namespaces.get(op.namespace);
    if (!runtime) {
      throw new ConsumerError('CONSUMER_CONFIG', `The capability has no consumes namespace ${op.namespace}.`, {
        target,
      });
    }
    const method = op.method;
    const idempotent = IDEMPOTENT.has(method);
    const withMap = call.with ?? {};
    const hasWith = (name: string) => Object.prototype.hasOwnProperty.call(withMap, name);
    const auth = runtime.auth;

    const paramGetter = (p: ConsumedParameter, loose: boolean, allowInputs = true): Getter => {
      const withExpr = hasWith(p.name) ? withMap[p.name] : undefined;
      const fromWith =
        withExpr && (allowInputs || !exprUsesInputs(withExpr)) ? compileExpr(withExpr, { binds }) : undefined;
      const fallback = p.value ? compileExpr(p.value, { binds }) : undefined;
      const name = p.name;
      const lower = name.toLowerCase();
      // Header inputs are matched case-insensitively, also when `with` names them.
      const withLoose =
        loose && withExpr && withExpr.kind === 'input' && fromWith
          ? ((n: string) => (inputs: Inputs) => readInputLoose(inputs, n, n.toLowerCase()))(withExpr.name)
          : undefined;
      const primary: Getter | undefined =
        withLoose ??
        fromWith ??
        (withExpr || !allowInputs
          ? undefined
          : loose
            ? (inputs) => readInputLoose(inputs, name, lower)
            : (inputs) => readInput(inputs, name));
      if (!fallback) return primary ?? (() => undefined);
      if (!primary) return fallback;
      return (inputs) => {
        const v = primary(inputs);
        return v === undefined || v === null ? fallback(inputs) : v;
      };
    };

    // Path: base path + resource path, placeholders filled.
    const declaredPath = new Map<string, ConsumedParameter>();
    const query: Array<{ prefix: string; get: Getter }> = [];
    const headerParams: Array<{ name: string; get: Getter }> = [];
    const cookieParams: Array<{ name: string; get: Getter }> = [];
    const bodyParams: Array<{ name: string; get: Getter }> = [];
    const declared = new Set<string>();
    const pathVariables = new Set(op.path.variables);
    for (const p of op.parameters) {
      declared.add(p.name);
      // A name used by a path placeholder is consumed by the path (some generated files also
      // declare it `in: query`); it is not sent twice.
      if (p.in !== 'path' && pathVariables.has(p.name)) continue;
      switch (p.in) {
        case 'path':
          declaredPath.set(p.name, p);
          break;
        case 'query':
          query.push({ prefix: `${encodeQueryComponent(p.name)}=`, get: paramGetter(p, false) });
          break;
        case 'header': {
          const lname = p.name.toLowerCase();
          if (!TOKEN_RE.test(p.name) || FORBIDDEN_HEADERS.has(lname)) break;
          // The caller's own credentials are never forwarded: auth headers only from the capability.
          const isAuthHeader = lname === 'authorization' || auth.redactHeaders.includes(lname);
          headerParams.push({ name: lname, get: paramGetter(p, true, !isAuthHeader) });
          break;
        }
        case 'cookie':
          cookieParams.push({ name: p.name, get: paramGetter(p, false) });
          break;
        case 'body':
          bodyParams.push({ name: p.name, get: paramGetter(p, false) });
          break;
        default:
          break;
      }
    }
    const segments: Array<string | PathSegmentVar> = [];
    const pathTemplate = op.path;
    const pathParts = pathTemplate.parts.length > 0 ? pathTemplate.parts : [{ kind: 'text' as const, text: '/' }];
    const first = pathParts[0];
    const firstText = first && first.kind === 'text' ? first.text : '';
    // One `/` between the base path and the resource path, whatever the file wrote.
    let text = runtime.basePath + (firstText.startsWith('/') ? firstText : `/${firstText}`);
    for (let i = 0; i < pathParts.length; i++) {
      const part = pathParts[i];
      if (!part) continue;
      if (part.kind === 'text') {
        if (i > 0) text += part.text;
        continue;
      }
      if (text) segments.push(text);
      text = '';
      const name = part.name;
      const lower = name.toLowerCase();
      // `with` first; a path placeholder it leaves unset still takes the same-name input
      // (then case-insensitively), then the declared `value`.
      const fromWith = hasWith(name) ? compileExpr(withMap[name] as Expr, { binds }) : undefined;
      const declValue = declaredPath.get(name)?.value;
      const fallback = declValue ? compileExpr(declValue, { binds }) : undefined;
      const getter: Getter = (inputs) => {
        let v = fromWith ? fromWith(inputs) : undefined;
        if (v === undefined || v === null || v === '') v = readInputLoose(inputs, name, lower);
        if ((v === undefined || v === null || v === '') && fallback) v = fallback(inputs);
        return v;
      };
      segments.push({ name, get: getter });
    }
    if (text) segments.push(text);
    // `with` keys that match nothing declared: sent as query parameters.
    for (const key of Object.keys(withMap)) {
      if (declared.has(key) || pathTemplate.variables.includes(key)) continue;
      query.push({ prefix: `${encodeQueryComponent(key)}=`, get: compileExpr(withMap[key] as Expr, { binds }) });
    }

    let body: BodyBuilder | undefined;
    if (op.body) body = compileBodyTemplate(op.body, scope);
    else body = compileBodyParams(bodyParams);

    const baseQuery = [runtime.baseSearch, auth.query ?? ''].filter((s) => s !== '');
    const staticHeaders: Record<string, string> = {};
    if (op.outputRawFormat === 'json') staticHeaders.accept = 'application/json';
    const authHeaders = auth.headers;
    const unsupported = op.outputRawFormat !== 'json';
    const redactQuery = new Set(auth.redactQuery.map((q) => encodeQueryComponent(q)));
    const redactHeaders = new Set([...auth.redactHeaders, ...ALWAYS_REDACTED]);
    const transport: TransportOptions = { ...transportBase, target };

    const buildPath = (inputs: Inputs): string => {
      let path = '';
      let missing: string[] | undefined;
      for (const seg of segments) {
        if (typeof seg === 'string') {
          path += seg;
          continue;
        }
        const v = seg.get(inputs);
        if (v === undefined || v === null || v === '') {
          (missing ??= []).push(seg.name);
          continue;
        }
        if (typeof v === 'object') {
          throw new ConsumerError('INVALID_INPUT', `The path parameter \`${seg.name}\` of ${target} must be a string or a number.`, {
            target,
            names: [seg.name],
          });
        }
        path += encodePathSegment(toText(v));
      }
      if (missing) {
        throw new ConsumerError(
          'MISSING_INPUT',
          `Missing required path parameter${missing.length > 1 ? 's' : ''} ${missing.map((m) => `\`${m}\``).join(', ')} for ${target}.`,
          { target, names: missing },
        );
      }
      let qs = '';
      for (const q of query) {
        const v = q.get(inputs);
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) {
          for (const item of v) {
            if (item === undefined || item === null) continue;
            qs += (qs ? '&' : '') + q.prefix + encodeQueryComponent(toText(item));
          }
        } else {
          qs += (qs ? '&' : '') + q.prefix + encodeQueryComponent(toText(v));
        }
      }
      for (const b of baseQuery) qs = qs ? `${b}&${qs}` : b;
      return qs ? `${path}?${qs}` : path;
    };

    // No header or cookie inputs: the headers only vary with the body's content type (one per
    // operation in practice), so the object is built once and shared by every call.
    const fixedHeaders = headerParams.length === 0 && cookieParams.length === 0;
    let lastContentType: string | undefined;
    let lastHeaders: Record<string, string> | undefined;
    const buildHeaders = (inputs: Inputs, contentType: string | undefined, requestId: string | undefined) => {
      if (fixedHeaders) {
        let base = lastHeaders;
        if (base === undefined || contentType !== lastContentType) {
          base = { ...staticHeaders };
          if (contentType) base['content-type'] = contentType;
          for (const k in authHeaders) base[k] = authHeaders[k] as string;
          lastContentType = contentType;
          lastHeaders = base;
        }
        if (requestId === undefined || BAD_HEADER_VALUE_RE.test(requestId)) return base;
        const withId = { ...base };
        withId['x-request-id'] = requestId;
        return withId;
      }
      const headers: Record<string, string> = { ...staticHeaders };
      if (contentType) headers['content-type'] = contentType;
      for (const h of headerParams) {
        const v = h.get(inputs);
        if (v === undefined || v === null) continue;
        const s = headerValue(v);
        if (BAD_HEADER_VALUE_RE.test(s)) {
          throw new ConsumerError('INVALID_INPUT', `The header \`${h.name}\` for ${target} contains a line break.`, {
            target,
            names: [h.name],
          });
        }
        if (h.name === 'content-type' && contentType === undefined && body !== undefined) continue;
        headers[h.name] = s;
      }
      if (cookieParams.length > 0) {
        const pairs: string[] = [];
        for (const c of cookieParams) {
          const v = c.get(inputs);
          if (v !== undefined && v !== null) pairs.push(`${c.name}=${encodeURIComponent(toText(v))}`);
        }
        if (pairs.length > 0) headers.cookie = pairs.join('; ');
      }
      if (requestId !== undefined && !BAD_HEADER_VALUE_RE.test(requestId)) headers['x-request-id'] = requestId;
      for (const k in authHeaders) headers[k] = authHeaders[k] as string;
      return headers;
    };

    const redactedPath = (path: string): string => {
      const q = path.indexOf('?');
      if (q < 0) return path;
      const pairs = path
        .slice(q + 1)
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          const name = eq < 0 ? pair : pair.slice(0, eq);
          if (redactQuery.has(name)) return `${name}=[REDACTED]`;
          const value = eq < 0 ? '' : pair.slice(eq + 1);
          return value.length >= 4 && secretList().some((x) => x.length >= 4 && safeDecode(value).includes(x))
            ? `${name}=[REDACTED]`
            : pair;
        });
      return `${path.slice(0, q)}?${pairs.join('&')}`;
    };
    const redacted = (headers: Record<string, string>): Record<string, string> => {
      const out: Record<string, string> = {};
      const secrets = secretList().filter((x) => x.length >= 4);
      for (const k in headers) {
        const v = headers[k] as string;
        out[k] = redactHeaders.has(k) || secrets.some((x) => v.includes(x)) ? '[REDACTED]' : v;
      }
      return out;
    };

    const statusError = (res: WireResponse): ConsumerError => {
      const raw = scrub(res.raw);
      const bodyValue = parseLoose(raw);
      const hint = res.status === 401 ? ' The upstream refused the configured credentials.' : '';
      return new ConsumerError('UPSTREAM_STATUS', `The upstream of ${target} responded with status ${res.status}.${hint}`, {
        target,
        status: res.status,
        headers: res.headers,
        body: bodyValue,
        raw,
      });
    };

    const retryDelay = (res: WireResponse, attempt: number): number | undefined => {
      let wait: number | undefined;
      const h = res.headers;
      const ra = h['retry-after'];
      const xra = h['x-retry-after'];
      const reset = h[RATE_LIMIT_RESET];
      const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
      const raS = one(ra);
      if (raS !== undefined) {
        const secs = Number(raS);
        if (Number.isFinite(secs)) wait = Math.max(0, secs * 1000);
        else {
          const at = Date.parse(raS);
          if (!Number.isNaN(at)) wait = Math.max(0, at - clock());
        }
      }
      const xraS = one(xra);
      if (wait === undefined && xraS !== undefined && Number.isFinite(Number(xraS))) wait = Math.max(0, Number(xraS) * 1000);
      const resetS = one(reset);
      if (wait === undefined && res.status === 429 && resetS !== undefined && Number.isFinite(Number(resetS))) {
        wait = Math.max(0, Number(resetS));
      }
      if (wait === undefined) return Math.min(retryMaxDelay, 100 * 2 ** attempt);
      return wait > retryMaxDelay ? undefined : wait;
    };

    const invoke = async (inputs: Inputs, callOptions?: CallOptions): Promise<ConsumerResult> => {
      if (runtime.problems.length > 0) {
        throw new ConsumerError(
          'CONSUMER_CONFIG',
          `${target} cannot be called: ${runtime.problems.map((p) => p.hint).join('; ')}.`,
          { target, problems: runtime.problems },
        );
      }
      if (unsupported) {
        throw new ConsumerError(
          'UNSUPPORTED_FORMAT',
          `${target} declares outputRawFormat \`${op.outputRawFormat}\`; only \`json\` is supported yet.`,
          { target },
        );
      }
      const args = inputs ?? {};
      let signal = callOptions?.signal;
      // The hot-path abort handle is used for the upstream request itself; the rarer steps that
      // need a real signal (token fetch, retry wait) get one bridged from it.
      let handle = signal === undefined ? callOptions?.abort : undefined;
      const needSignal = (): AbortSignal | undefined => {
        if (handle !== undefined) {
          const controller = new AbortController();
          if (handle.aborted) controller.abort();
          else handle.onAbort = () => controller.abort();
          signal = controller.signal;
          handle = undefined;
        }
        return signal;
      };
      const path = buildPath(args);
      const encoded = body?.(args);
      const headers = buildHeaders(args, encoded?.contentType, callOptions?.requestId);
      let attempt = 0;
      let authRetried = false;
      for (;;) {
        let sent = headers;
        let authorization: string | undefined;
        if (auth.authorize) {
          authorization = await auth.authorize({ method, path }, needSignal());
          if (authorization !== undefined) sent = { ...headers, authorization };
        }
        const started = logDebug ? performance.now() : 0;
        if (logDebug) {
          logger.debug(
            { target, method, url: runtime.origin + redactedPath(path), headers: redacted(sent), attempt },
            'upstream request',
          );
        }
        let res: WireResponse;
        try {
          res = await send(
            { origin: runtime.origin, path, method, headers: sent, body: encoded?.body },
            transport,
            signal,
            handle,
          );
        } catch (err) {
          const e = err as ConsumerError;
          if (logDebug) logger.debug({ target, code: e.code, phase: e.phase, attempt }, 'upstream request failed');
          if (idempotent && attempt < retryMax && ConsumerError.isInstance(e) && isConnectFailure(e)) {
            await pause(Math.min(retryMaxDelay, 100 * 2 ** attempt), needSignal(), target);
            attempt++;
            continue;
          }
          throw e;
        }
        if (logDebug) {
          logger.debug(
            { target, status: res.status, bytes: res.raw.length, ms: Math.round(performance.now() - started) },
            'upstream response',
          );
        }
        if (res.status === 401 && auth.onUnauthorized && !authRetried) {
          if (await auth.onUnauthorized(res.headers, authorization)) {
            authRetried = true;
            continue;
          }
        }
        if ((res.status === 429 || res.status === 503) && idempotent && attempt < retryMax) {
          const wait = retryDelay(res, attempt);
          if (wait !== undefined) {
            await pause(wait, needSignal(), target);
            attempt++;
            continue;
          }
        }
        if (res.status >= 400) throw statusError(res);
        if (output !== undefined && output.kind === 'mapped') {
          return new Result(res.status, res.headers, res.raw, output, target, parseJson(res.raw, target, res.status));
        }
        if (!looksLikeJson(res.raw)) {
          throw new ConsumerError('UPSTREAM_BAD_BODY', `The upstream of ${target} returned a body that is not JSON.`, {
            target,
            status: res.status,
            raw: scrub(res.raw),
          });
        }
        return new Result(res.status, res.headers, res.raw, output, target);
      }
    };

    return { target, method, invoke };
  }

  async function pause(ms: number, signal: AbortSignal | undefined, target: string): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (err) {
      throw new ConsumerError('CONSUMER_ABORTED', `The call to ${target} was aborted while waiting to retry.`, {
        cause: err,
        target,
      });
    }
  }

  // --- convenience --------------------------------------------------------------------------
  const preparedByTarget = new Map<string, PreparedCall>();
  const preparedByWith = new WeakMap<object, Map<string, PreparedCall>>();
  const preparedByOutput = new WeakMap<object, Map<string, PreparedCall>>();

  function resolveCall(namespace: string, operation: string, withMap: ResolvedCall['with'] | undefined): ResolvedCall {
    const id = `${namespace}.${operation}`;
    const consumed = capability.operations.get(id);
    if (!consumed) {
      throw new ConsumerError('CONSUMER_CONFIG', `The capability has no consumed operation ${id}.`, { target: id });
    }
    return { target: id, namespace, operation, consumed, with: withMap ?? {}, pointer: consumed.pointer };
  }

  let closing: Promise<void> | undefined;
  const consumer: Consumer = {
    get problems() {
      return problems;
    },
    assertReady() {
      if (problems.length === 0) return;
      const lines = problems.map((p) => `- ${p.hint}`).join('\n');
      throw new ConsumerError('CONSUMER_CONFIG', `The capability cannot start:\n${lines}`, { problems: [...problems] });
    },
    prepare,
    call(namespace, operation, inputs, opts) {
      try {
        const id = `${namespace}.${operation}`;
        let prepared: PreparedCall | undefined;
        if (opts?.with) {
          let byTarget = preparedByWith.get(opts.with);
          if (!byTarget) preparedByWith.set(opts.with, (byTarget = new Map()));
          const key = `${id}\u0000${opts.output ? JSON.stringify(opts.output) : ''}`;
          prepared = byTarget.get(key);
          if (!prepared) byTarget.set(key, (prepared = prepare(resolveCall(namespace, operation, opts.with), opts.output)));
        } else if (opts?.output) {
          let byTarget = preparedByOutput.get(opts.output);
          if (!byTarget) preparedByOutput.set(opts.output, (byTarget = new Map()));
          prepared = byTarget.get(id);
          if (!prepared) byTarget.set(id, (prepared = prepare(resolveCall(namespace, operation, undefined), opts.output)));
        } else {
          prepared = preparedByTarget.get(id);
          if (!prepared) preparedByTarget.set(id, (prepared = prepare(resolveCall(namespace, operation, undefined))));
        }
        return prepared.invoke(inputs, opts);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    secretValues() {
      return secretList();
    },
    close() {
      closing ??= ownsDispatcher ? dispatcher.close() : Promise.resolve();
      return closing;
    },
  };
  Object.defineProperty(consumer, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `Consumer { namespaces: [${[...namespaces.keys()].join(', ')}], problems: ${problems.length} }`,
  });
  Object.defineProperty(consumer, 'toJSON', {
    value: () => ({ namespaces: [...namespaces.keys()], problems }),
  });
  return consumer;
}
