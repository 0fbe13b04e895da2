import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_STORES, DEFAULT_TOKENS, SCOPE_IMPERSONATION, SCOPE_STOREFRONT } from './defaults.js';
import { EmulatorError } from './errors.js';
import { parseQuery } from './graphql.js';
import { parseHeader, signJwt, splitJwt, verifyToken, type BigCommerceJwtClaims } from './jwt.js';
import {
  baseError,
  CORS_LENGTH_TEXT,
  CORS_SUFFIX_KEY,
  CORS_SUFFIX_TEXT,
  GQL,
  invalidFields,
  PROBLEM_TYPE,
  statusTitle,
  TITLE_401,
  TITLE_403,
  TITLE_405,
  TITLE_413,
  TITLE_415,
  TITLE_422_JSON,
  TITLE_422_REVOKE,
  TITLE_429,
  type BaseErrorBody,
} from './problems.js';
import { RateLimiter, type RateLimitState } from './rate-limit.js';
import type {
  AccessTokenConfig,
  Emulator,
  EmulatorConfig,
  EmulatorOptions,
  FaultRule,
  RecordedRequest,
  StoreConfig,
} from './types.js';

/** Largest `expires_at` a 32-bit Unix time can hold; larger values look like milliseconds. */
const MAX_EXPIRES_AT = 2147483647;
const PRIVATE_SCOPES = new Set(['Unauthenticated', 'Customer', 'B2B']);
const JSON_TYPE = 'application/json';
const PROBLEM_JSON_TYPE = 'application/problem+json';

type Endpoint = 'impersonation' | 'storefront' | 'private' | 'revoke';

/** `/v3/...` paths under `/stores/{hash}` and the endpoint each method reaches. */
const ROUTES: ReadonlyMap<string, Readonly<Record<string, Endpoint>>> = new Map<string, Readonly<Record<string, Endpoint>>>([
  ['/v3/storefront/api-token-customer-impersonation', { POST: 'impersonation' }],
  ['/v3/storefront/api-token', { POST: 'storefront', DELETE: 'revoke' }],
  ['/v3/storefront/api-token-private', { POST: 'private' }],
]);

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  body: Buffer;
  tooLarge: boolean;
  requestId: string;
  rate: RateLimitState;
}

function resolveConfig(options: EmulatorOptions): EmulatorConfig {
  const stores = (options.stores ?? DEFAULT_STORES).map((s) => ({
    ...s,
    channels: [...s.channels],
    customers: (s.customers ?? []).map((c) => ({ ...c })),
  }));
  const tokens = (options.tokens ?? DEFAULT_TOKENS).map((t) => ({ ...t, scopes: [...t.scopes] }));
  const hashes = new Set<string>();
  for (const s of stores) {
    if (typeof s.hash !== 'string' || s.hash === '' || s.hash.includes('/')) {
      throw new EmulatorError('EMULATOR_CONFIG', 'Every store needs a non-empty `hash` without `/`.');
    }
    if (hashes.has(s.hash)) throw new EmulatorError('EMULATOR_CONFIG', `Store hash \`${s.hash}\` is declared twice.`);
    hashes.add(s.hash);
    if (!Number.isSafeInteger(s.storeId) || s.storeId < 1) {
      throw new EmulatorError('EMULATOR_CONFIG', `Store \`${s.hash}\`: \`storeId\` must be a positive integer.`);
    }
    if (!s.channels.every((c) => Number.isSafeInteger(c) && c >= 1)) {
      throw new EmulatorError('EMULATOR_CONFIG', `Store \`${s.hash}\`: \`channels\` must be integers of 1 or more.`);
    }
  }
  const seen = new Set<string>();
  tokens.forEach((t, i) => {
    // Messages name the token by index, never by value (it is a secret).
    if (typeof t.token !== 'string' || t.token === '') {
      throw new EmulatorError('EMULATOR_CONFIG', `tokens[${i}]: \`token\` must be a non-empty string.`);
    }
    if (seen.has(t.token)) throw new EmulatorError('EMULATOR_CONFIG', `tokens[${i}]: the same token is declared twice.`);
    seen.add(t.token);
    if (!hashes.has(t.storeHash)) {
      throw new EmulatorError('EMULATOR_CONFIG', `tokens[${i}]: \`storeHash\` \`${t.storeHash}\` is not a declared store.`);
    }
  });
  const quota = options.rateLimit?.quota ?? 150;
  const windowMs = options.rateLimit?.windowMs ?? 30_000;
  if (!Number.isSafeInteger(quota) || quota < 1 || !Number.isSafeInteger(windowMs) || windowMs < 1) {
    throw new EmulatorError('EMULATOR_CONFIG', '`rateLimit.quota` and `rateLimit.windowMs` must be positive integers.');
  }
  return {
    host: options.host ?? '127.0.0.1',
    stores,
    tokens,
    rateLimit: { quota, windowMs },
    strict: { expiresAt: options.strict?.expiresAt ?? false },
    unknownStore: options.unknownStore ?? 401,
    bothChannels: options.bothChannels ?? 'reject',
    legacyCid: options.legacyCid ?? false,
    maxRecordedRequests: options.maxRecordedRequests ?? 10_000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
  };
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return media === JSON_TYPE || /^application\/[a-z0-9.+-]*\+json$/.test(media);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseQueryString(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Origin validation of `allowed_cors_origins` entries: `scheme://host[:port]`, nothing after. */
const ORIGIN = /^(https?):\/\/([^/?#\s\\]+)(.*)$/i;

/** Starts a local BigCommerce emulator. Resolves once it listens; see the package README. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = resolveConfig(options);
  const clock = options.clock ?? Date.now;
  const logger = options.logger;
  const storesByHash = new Map<string, StoreConfig>(config.stores.map((s) => [s.hash, s]));
  const tokensByValue = new Map<string, AccessTokenConfig>(config.tokens.map((t) => [t.token, t]));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as {
    privateKey: KeyObject;
    publicKey: KeyObject;
  };
  const publicJwk = publicKey.export({ format: 'jwk' });
  const limiter = new RateLimiter(config.rateLimit.quota, config.rateLimit.windowMs, clock);
  const graphqlLimiter = new RateLimiter(config.rateLimit.quota, config.rateLimit.windowMs, clock);
  const faults: FaultRule[] = [...(options.faults ?? [])].map((f) => ({ ...f }));
  const revoked = new Set<string>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  // ---------------------------------------------------------------- responses

  function baseHeaders(ex: Exchange): OutgoingHttpHeaders {
    return {
      'x-request-id': ex.requestId,
      'x-rate-limit-time-window-ms': String(ex.rate.windowMs),
      'x-rate-limit-time-reset-ms': String(ex.rate.resetMs),
      'x-rate-limit-requests-quota': String(ex.rate.quota),
      'x-rate-limit-requests-left': String(ex.rate.left),
    };
  }

  function send(ex: Exchange, status: number, body: string, contentType?: string, extra: OutgoingHttpHeaders = {}): void {
    if (ex.res.headersSent || ex.res.destroyed) return;
    const payload = Buffer.from(body);
    const headers: OutgoingHttpHeaders = { ...baseHeaders(ex), ...extra, 'content-length': String(payload.length) };
    if (contentType) headers['content-type'] = contentType;
    ex.res.writeHead(status, headers);
    ex.res.end(ex.method === 'HEAD' ? undefined : payload);
  }

  const sendJson = (ex: Exchange, status: number, value: unknown, extra?: OutgoingHttpHeaders): void =>
    send(ex, status, JSON.stringify(value), JSON_TYPE, extra);

  const sendProblem = (ex: Exchange, problem: BaseErrorBody | { status: number; type: string }, extra?: OutgoingHttpHeaders): void =>
    send(ex, problem.status, JSON.stringify(problem), PROBLEM_JSON_TYPE, extra);

  const notFound = (ex: Exchange): void => sendProblem(ex, { status: 404, type: PROBLEM_TYPE });

  const graphqlError = (ex: Exchange, status: number, message: string, extra?: OutgoingHttpHeaders): void =>
    sendJson(ex, status, { errors: [{ message }] }, extra);

  // ---------------------------------------------------------------- faults

  function takeFaults(method: string, path: string): FaultRule[] {
    const hits: FaultRule[] = [];
    for (const rule of faults) {
      const m = rule.match;
      if (m?.method && m.method.toUpperCase() !== method) continue;
      if (m?.path !== undefined) {
        const ok = typeof m.path === 'string' ? path.includes(m.path) : new RegExp(m.path.source, m.path.flags.replace('g', '')).test(path);
        if (!ok) continue;
      }
      hits.push(rule);
      if (rule.times !== undefined) rule.times -= 1;
      // Latency composes with a following rule; any other kind answers the request.
      if (rule.kind !== 'latency') break;
    }
    for (let i = faults.length - 1; i >= 0; i--) {
      const t = faults[i]?.times;
      if (t !== undefined && t <= 0) faults.splice(i, 1);
    }
    return hits;
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  /** Applies a non-latency fault; returns true when the request has been dealt with. */
  function applyFault(ex: Exchange, rule: FaultRule): boolean {
    const { res } = ex;
    switch (rule.kind) {
      case 'latency':
        return false;
      case 'status': {
        const status = rule.status ?? 500;
        sendProblem(ex, baseError(status, statusTitle(status)));
        return true;
      }
      case 'garbage':
        send(
          ex,
          200,
          '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The upstream returned an invalid response.</p></body></html>\n',
          JSON_TYPE,
        );
        return true;
      case 'hang':
        // Never answer; close() destroys the socket.
        return true;
      case 'reset': {
        const partial = '{"data":{"token":"eyJ0eXAiOiJKV1Qi';
        res.writeHead(200, { ...baseHeaders(ex), 'content-type': JSON_TYPE, 'content-length': '4096' });
        res.write(partial, () => res.socket?.destroy());
        return true;
      }
      case 'oversize': {
        const bytes = Math.max(64, rule.bytes ?? 16 * 1024 * 1024);
        const head = Buffer.from('{"data":{"token":"');
        const tail = Buffer.from('"},"meta":{}}');
        let remaining = bytes - head.length - tail.length;
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        res.writeHead(200, { ...baseHeaders(ex), 'content-type': JSON_TYPE, 'content-length': String(bytes) });
        res.write(head);
        const pump = (): void => {
          while (remaining > 0 && !res.destroyed) {
            const n = Math.min(remaining, chunk.length);
            remaining -= n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end(tail);
        };
        pump();
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- REST endpoints

  /** Checks 3–6 of the contract table: auth, store, scope, quota. Returns the token when they pass. */
  function authorize(ex: Exchange, hash: string, scopes: readonly string[]): AccessTokenConfig | undefined {
    const token = tokensByValue.get(headerValue(ex.req, 'x-auth-token') ?? '');
    if (!token) return void sendProblem(ex, baseError(401, TITLE_401));
    if (!storesByHash.has(hash)) {
      if (config.unknownStore === 404) return void notFound(ex);
      if (config.unknownStore === 403) return void sendProblem(ex, baseError(403, TITLE_403));
      return void sendProblem(ex, baseError(401, TITLE_401));
    }
    if (token.storeHash !== hash) return void sendProblem(ex, baseError(401, TITLE_401));
    if (!scopes.some((s) => token.scopes.includes(s))) return void sendProblem(ex, baseError(403, TITLE_403));
    if (ex.rate.exceeded) {
      return void sendProblem(ex, baseError(429, TITLE_429), { 'x-retry-after': String(Math.ceil(ex.rate.resetMs / 1000)) });
    }
    return token;
  }

  /** Checks 7–12: content type, JSON object, `expires_at`, channels. */
  function readTokenRequest(
    ex: Exchange,
    store: StoreConfig,
  ): { body: Record<string, unknown>; expiresAt: number; channels: number[] } | undefined {
    if (!isJsonMediaType(headerValue(ex.req, 'content-type'))) return void sendProblem(ex, baseError(415, TITLE_415));
    if (ex.tooLarge) return void sendProblem(ex, baseError(413, TITLE_413));
    let body: unknown;
    try {
      body = JSON.parse(ex.body.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (!isPlainObject(body)) return void sendProblem(ex, baseError(422, TITLE_422_JSON));

    const expiresAt = body.expires_at;
    if (expiresAt === undefined || expiresAt === null) {
      return void sendProblem(ex, invalidFields({ expires_at: 'expires_at is required: a Unix timestamp in seconds (UTC).' }));
    }
    if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
      return void sendProblem(
        ex,
        invalidFields({ expires_at: 'expires_at must be an integer of 0 or more: a Unix timestamp in seconds (UTC).' }),
      );
    }

    const hasId = body.channel_id !== undefined && body.channel_id !== null;
    const hasIds = body.channel_ids !== undefined && body.channel_ids !== null;
    if (!hasId && !hasIds) {
      return void sendProblem(ex, invalidFields({ channel_id: 'One of channel_id or channel_ids is required.' }));
    }
    if (hasId && hasIds && config.bothChannels === 'reject') {
      return void sendProblem(
        ex,
        invalidFields({ channel_ids: 'Send either channel_id or channel_ids, not both (channel_ids is preferred).' }),
      );
    }
    let channels: number[];
    if (hasIds) {
      const ids = body.channel_ids;
      if (!Array.isArray(ids) || ids.length === 0) {
        return void sendProblem(ex, invalidFields({ channel_ids: 'channel_ids must be a non-empty array of channel IDs.' }));
      }
      const bad = ids.filter((c) => typeof c !== 'number' || !Number.isSafeInteger(c) || c < 1);
      if (bad.length > 0) {
        return void sendProblem(
          ex,
          invalidFields({ channel_ids: `channel_ids must contain integers of 1 or more; invalid: ${bad.map((c) => JSON.stringify(c)).join(', ')}.` }),
        );
      }
      channels = [...new Set(ids as number[])];
      const unknown = channels.filter((c) => !store.channels.includes(c));
      if (unknown.length > 0) {
        return void sendProblem(
          ex,
          invalidFields({ channel_ids: `Channel IDs not found on this store: ${unknown.join(', ')}.` }),
        );
      }
    } else {
      const id = body.channel_id;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
        return void sendProblem(ex, invalidFields({ channel_id: `channel_id must be an integer of 1 or more; got ${JSON.stringify(id)}.` }));
      }
      if (!store.channels.includes(id)) {
        return void sendProblem(ex, invalidFields({ channel_id: `Channel ID not found on this store: ${id}.` }));
      }
      channels = [id];
    }
    return { body, expiresAt, channels };
  }

  /** Check 13 in strict mode. True when the request was rejected. */
  function rejectStrictExpiry(ex: Exchange, expiresAt: number): boolean {
    if (!config.strict.expiresAt) return false;
    if (expiresAt > MAX_EXPIRES_AT) {
      sendProblem(ex, invalidFields({ expires_at: 'expires_at must be in seconds (at most 2147483647); milliseconds are not supported.' }));
      return true;
    }
    if (expiresAt <= Math.floor(clock() / 1000)) {
      sendProblem(ex, invalidFields({ expires_at: 'expires_at must be in the future.' }));
      return true;
    }
    return false;
  }

  function issue(store: StoreConfig, token: AccessTokenConfig, channels: number[], expiresAt: number, tokenType: number, cors: string[]): string {
    const claims: BigCommerceJwtClaims = {
      cid: config.legacyCid ? (channels[0] as number) : channels,
      cors,
      eat: expiresAt,
      iat: Math.floor(clock() / 1000),
      iss: 'BC',
      sid: store.storeId,
      sub: token.clientId,
      sub_type: 2,
      token_type: tokenType,
    };
    return signJwt(claims, privateKey);
  }

  /** `allowed_cors_origins` rules of `/storefront/api-token`. Returns the origins, or undefined after a 422. */
  function readCorsOrigins(ex: Exchange, body: Record<string, unknown>): string[] | undefined {
    const value = body.allowed_cors_origins;
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      return void sendProblem(ex, invalidFields({ allowed_cors_origins: 'allowed_cors_origins must be an array of origins.' }));
    }
    if (value.length > 2) return void sendProblem(ex, invalidFields({ allowed_cors_origins: CORS_LENGTH_TEXT }));
    const origins: string[] = [];
    for (const origin of value) {
      const m = typeof origin === 'string' ? ORIGIN.exec(origin) : null;
      if (!m) {
        return void sendProblem(
          ex,
          invalidFields({ allowed_cors_origins: `Each origin must look like https://example.com; got ${JSON.stringify(origin)}.` }),
        );
      }
      if ((m[3] ?? '') !== '') return void sendProblem(ex, invalidFields({ [CORS_SUFFIX_KEY]: CORS_SUFFIX_TEXT }));
      origins.push(origin as string);
    }
    return origins;
  }

  function readPrivateScopes(ex: Exchange, body: Record<string, unknown>): boolean {
    const scopes = body.scopes;
    const valid =
      Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => typeof s === 'string' && PRIVATE_SCOPES.has(s));
    if (!valid) {
      sendProblem(ex, invalidFields({ scopes: 'scopes is required: a non-empty array of Unauthenticated, Customer, B2B.' }));
    }
    return valid;
  }

  function handleTokenPost(ex: Exchange, hash: string, endpoint: Exclude<Endpoint, 'revoke'>): void {
    const scope = endpoint === 'impersonation' ? SCOPE_IMPERSONATION : SCOPE_STOREFRONT;
    const token = authorize(ex, hash, [scope]);
    if (!token) return;
    const store = storesByHash.get(hash) as StoreConfig;
    const request = readTokenRequest(ex, store);
    if (!request) return;
    let cors: string[] = [];
    if (endpoint === 'storefront') {
      const origins = readCorsOrigins(ex, request.body);
      if (!origins) return;
      cors = origins;
    } else if (endpoint === 'private' && !readPrivateScopes(ex, request.body)) {
      return;
    }
    if (rejectStrictExpiry(ex, request.expiresAt)) return;
    const tokenType = endpoint === 'impersonation' ? 2 : endpoint === 'storefront' ? 1 : 3;
    const jwt = issue(store, token, request.channels, request.expiresAt, tokenType, cors);
    sendJson(ex, 200, { data: { token: jwt }, meta: {} });
  }

  function handleRevoke(ex: Exchange, hash: string): void {
    if (!authorize(ex, hash, [SCOPE_STOREFRONT, SCOPE_IMPERSONATION])) return;
    const store = storesByHash.get(hash) as StoreConfig;
    const jwt = (headerValue(ex.req, 'sf-api-token') ?? '').trim();
    const parts = splitJwt(jwt);
    let sid: unknown;
    if (parts && verifyToken(jwt, publicKey)) {
      try {
        const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
        sid = isPlainObject(payload) ? payload.sid : undefined;
      } catch {
        sid = undefined;
      }
    }
    if (!parts || sid !== store.storeId) return void sendProblem(ex, baseError(422, TITLE_422_REVOKE));
    revoked.add(parts[2]);
    send(ex, 200, '');
  }

  // ---------------------------------------------------------------- GraphQL stand-in

  function handleGraphql(ex: Exchange, store: StoreConfig | undefined, channel: number | undefined): void {
    if (!store) return graphqlError(ex, 404, 'Store not found: send X-Bc-Store-Hash or use /stores/{hash}/graphql.');
    if (ex.method !== 'POST') return graphqlError(ex, 405, 'Method not allowed: use POST.', { allow: 'POST' });

    const auth = headerValue(ex.req, 'authorization') ?? '';
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (!bearer?.[1]) return graphqlError(ex, 401, GQL.missing);
    const jwt = bearer[1];
    const parts = splitJwt(jwt);
    if (!parts || !parseHeader(parts[0])) return graphqlError(ex, 401, GQL.notJwt);
    if (!verifyToken(jwt, publicKey)) return graphqlError(ex, 401, GQL.badSignature);
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return graphqlError(ex, 401, GQL.noValidJson);
    }
    const claims = isPlainObject(payload) ? payload : undefined;
    const cid = claims?.cid;
    const cids = typeof cid === 'number' ? [cid] : Array.isArray(cid) ? cid : undefined;
    if (
      !claims ||
      typeof claims.eat !== 'number' ||
      typeof claims.sid !== 'number' ||
      typeof claims.token_type !== 'number' ||
      !cids ||
      !cids.every((c) => typeof c === 'number')
    ) {
      return graphqlError(ex, 401, GQL.unknownFormat);
    }
    if (Math.floor(clock() / 1000) >= claims.eat) return graphqlError(ex, 401, GQL.expired);
    if (!cids.includes(channel ?? 1)) return graphqlError(ex, 401, GQL.channelMismatch);
    if (claims.sid !== store.storeId) return graphqlError(ex, 401, GQL.storeMismatch);
    if (revoked.has(parts[2])) return graphqlError(ex, 401, GQL.revoked);

    const impersonation = claims.token_type === 2;
    const cookie = headerValue(ex.req, 'cookie') ?? '';
    if (impersonation && (ex.req.headers.origin !== undefined || /(?:^|;)\s*SHOP_TOKEN=/.test(cookie))) {
      return graphqlError(ex, 403, GQL.browser);
    }

    let request: unknown;
    try {
      request = ex.tooLarge ? undefined : JSON.parse(ex.body.toString('utf8'));
    } catch {
      request = undefined;
    }
    if (!isPlainObject(request) || typeof request.query !== 'string') {
      return graphqlError(ex, 400, 'The request body must be JSON with a `query` string.');
    }
    const parsed = parseQuery(request.query);
    const headers: OutgoingHttpHeaders = {
      'x-bc-graphql-complexity': String(parsed.complexity),
      'x-bc-graphql-operation-type': parsed.operationType,
    };
    if (parsed.operationName) headers['x-bc-graphql-operation-name'] = parsed.operationName;
    if (parsed.operationType !== 'query') {
      return sendJson(ex, 200, { data: null, errors: [{ message: 'The BigCommerce emulator only answers queries.' }] }, headers);
    }
    if (!parsed.customerFields) return sendJson(ex, 200, { data: {} }, headers);

    // Impersonation: X-Bc-Customer-Id picks the customer; other token types are anonymous.
    const idText = headerValue(ex.req, 'x-bc-customer-id')?.trim();
    const customer =
      impersonation && idText && /^\d+$/.test(idText)
        ? (store.customers ?? []).find((c) => c.id === Number(idText))
        : undefined;
    let data: Record<string, unknown> | null = null;
    if (customer) {
      data = {};
      for (const { key, field } of parsed.customerFields) {
        const value = field === 'entityId' ? customer.id : field === '__typename' ? 'Customer' : (customer as unknown as Record<string, unknown>)[field];
        data[key] = value ?? null;
      }
    }
    sendJson(ex, 200, { data: { customer: data } }, headers);
  }

  /** Store and channel addressed by a GraphQL request, or `false` when the path is not GraphQL. */
  function graphqlTarget(
    req: IncomingMessage,
    path: string,
  ): { store: StoreConfig | undefined; channel: number | undefined } | false {
    if (path === '/graphql') {
      const hash = headerValue(req, 'x-bc-store-hash');
      const ch = headerValue(req, 'x-bc-channel-id');
      const channel = ch !== undefined && /^\d+$/.test(ch.trim()) ? Number(ch.trim()) : undefined;
      return { store: hash === undefined ? undefined : storesByHash.get(hash), channel };
    }
    const m = /^\/stores\/([^/]+)\/graphql$/.exec(path);
    if (!m) return false;
    const seg = safeDecode(m[1] as string);
    if (storesByHash.has(seg)) return { store: storesByHash.get(seg), channel: undefined };
    const withChannel = /^(.+)-(\d+)$/.exec(seg);
    if (withChannel && storesByHash.has(withChannel[1] as string)) {
      return { store: storesByHash.get(withChannel[1] as string), channel: Number(withChannel[2]) };
    }
    return { store: undefined, channel: undefined };
  }

  // ---------------------------------------------------------------- dispatch

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer, tooLarge: boolean): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://emulator.invalid');
    } catch {
      url = new URL('http://emulator.invalid/');
    }
    const path = url.pathname;
    const at = clock();
    if (config.maxRecordedRequests > 0) {
      requests.push({ method, path, query: parseQueryString(url.searchParams), headers: req.headers, body: body.toString('utf8'), at });
      if (requests.length > config.maxRecordedRequests) requests.splice(0, requests.length - config.maxRecordedRequests);
    }

    const gql = graphqlTarget(req, path);
    const restMatch = gql ? null : /^\/stores\/([^/]+)(\/.*)?$/.exec(path);
    const restHash = restMatch ? safeDecode(restMatch[1] as string) : undefined;
    let rate: RateLimitState;
    if (gql) rate = graphqlLimiter.hit(gql.store ? gql.store.hash : '');
    else rate = limiter.hit(restHash !== undefined && storesByHash.has(restHash) ? restHash : '');

    const ex: Exchange = { req, res, method, path, body, tooLarge, requestId: randomUUID().replaceAll('-', ''), rate };
    const started = at;
    if (logger) {
      res.on('finish', () => {
        logger.debug({ requestId: ex.requestId, method, path, status: res.statusCode, ms: clock() - started }, 'emulator request');
      });
    }

    for (const rule of takeFaults(method, path)) {
      if (rule.kind === 'latency') {
        await delay(Math.max(0, rule.ms ?? 100));
        if (closed || res.destroyed) return;
      } else if (applyFault(ex, rule)) {
        return;
      }
    }

    if (gql) return handleGraphql(ex, gql.store, gql.channel);
    const route = restMatch ? ROUTES.get(restMatch[2] ?? '') : undefined;
    if (!route || restHash === undefined) return notFound(ex); // check 1
    const endpoint = Object.hasOwn(route, method) ? route[method] : undefined;
    if (!endpoint) return sendProblem(ex, baseError(405, TITLE_405), { allow: Object.keys(route).join(', ') }); // check 2
    if (endpoint === 'revoke') return handleRevoke(ex, restHash);
    return handleTokenPost(ex, restHash, endpoint);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > config.maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks), tooLarge).catch((error: unknown) => {
        logger?.error({ err: error }, 'emulator handler failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    req.on('error', () => res.destroy());
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new EmulatorError('EMULATOR_LISTEN', `The emulator could not listen on ${config.host}:${options.port ?? 0}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen({ port: options.port ?? 0, host: config.host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (!['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    logger?.warn({ host: config.host }, 'The BigCommerce emulator listens on a non-loopback address.');
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    requests,
    publicKey,
    publicJwk,
    revoked,
    config,
    injectFault: (rule) => void faults.push({ ...rule }),
    clearFaults: () => void faults.splice(0, faults.length),
    resetRateLimits: () => {
      limiter.reset();
      graphqlLimiter.reset();
    },
    signJwt: (payload) => signJwt(payload, privateKey),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
