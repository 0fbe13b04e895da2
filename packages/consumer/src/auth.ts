/**
 * Upstream authentication: apikey, bearer, basic, digest (RFC 7616) and OAuth 2.0 client credentials.
 * Secret material is held in closures and private fields only.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Authentication } from '@naftiko-ts/spec';
import { ConsumerError } from './errors.js';
import { send, type TransportOptions } from './transport.js';
import { compileExpr, toText, type BindStore } from './values.js';
import { encodeQueryComponent } from './url.js';

export interface AuthRequestInfo {
  method: string;
  /** Request target (path + query) as sent. */
  path: string;
}

export interface AuthPlan {
  /** Headers added to every request (lower-case names). */
  readonly headers: Record<string, string>;
  /** Pre-encoded `key=value` appended to the query. */
  readonly query: string | undefined;
  /** Header names (lower-case) and query names whose values are secret. */
  readonly redactHeaders: readonly string[];
  readonly redactQuery: readonly string[];
  /** Per-request `Authorization` value (OAuth2 token, digest response). */
  authorize?(req: AuthRequestInfo, signal?: AbortSignal): string | undefined | Promise<string | undefined>;
  /** Called on a 401; true → the request is sent once more (with a fresh `authorize`). */
  onUnauthorized?(
    headers: Record<string, string | string[] | undefined>,
    sentAuthorization: string | undefined,
  ): boolean | Promise<boolean>;
  secrets(): string[];
}

export interface AuthContext {
  binds: BindStore;
  namespace: string;
  transport: Omit<TransportOptions, 'target'>;
  clock: () => number;
  /** OAuth2: refresh this long before expiry (capped at half the token lifetime). */
  oauth2SkewMs: number;
  oauth2ClientAuth: 'basic' | 'post';
}

function resolve(expr: Parameters<typeof compileExpr>[0] | undefined, ctx: AuthContext): string | undefined {
  if (!expr) return undefined;
  const v = compileExpr(expr, { binds: ctx.binds, report: true })({});
  return v === undefined || v === null ? undefined : toText(v);
}

const NONE: AuthPlan = {
  headers: {},
  query: undefined,
  redactHeaders: [],
  redactQuery: [],
  secrets: () => [],
};

export function createAuthPlan(auth: Authentication | undefined, ctx: AuthContext): AuthPlan {
  if (!auth) return NONE;
  switch (auth.type) {
    case 'apikey': {
      const value = resolve(auth.value, ctx) ?? '';
      const secrets = value ? [value] : [];
      if (auth.placement === 'query') {
        return {
          headers: {},
          query: `${encodeQueryComponent(auth.key)}=${encodeURIComponent(value)}`,
          redactHeaders: [],
          redactQuery: [auth.key],
          secrets: () => secrets,
        };
      }
      return {
        headers: { [auth.key.toLowerCase()]: value },
        query: undefined,
        redactHeaders: [auth.key.toLowerCase()],
        redactQuery: [],
        secrets: () => secrets,
      };
    }
    case 'bearer': {
      const token = resolve(auth.token, ctx) ?? '';
      const secrets = token ? [token] : [];
      return {
        headers: { authorization: `Bearer ${token}` },
        query: undefined,
        redactHeaders: ['authorization'],
        redactQuery: [],
        secrets: () => secrets,
      };
    }
    case 'basic': {
      const user = resolve(auth.username, ctx) ?? '';
      const pass = resolve(auth.password, ctx) ?? '';
      const encoded = Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
      const secrets = [pass, encoded].filter((s) => s !== '');
      return {
        headers: { authorization: `Basic ${encoded}` },
        query: undefined,
        redactHeaders: ['authorization'],
        redactQuery: [],
        secrets: () => secrets,
      };
    }
    case 'digest':
      return new DigestAuth(resolve(auth.username, ctx) ?? '', resolve(auth.password, ctx) ?? '', randomCnonce);
    case 'oauth2':
      return new OAuth2ClientCredentials(auth, ctx);
    default:
      return NONE;
  }
}

// ---------------------------------------------------------------------------
// Digest (RFC 7616)
// ---------------------------------------------------------------------------

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate` values (several challenges per header allowed). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    const re = /\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?/gy;
    let current: Challenge | undefined;
    let m: RegExpExecArray | null;
    while ((m = re.exec(value)) !== null && m[0] !== '') {
      const token = m[1] ?? '';
      const hasValue = m[2] !== undefined || m[3] !== undefined;
      if (!hasValue) {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      } else if (current) {
        const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
        current.params[token.toLowerCase()] = v;
      }
    }
  }
  return out;
}

const ALGORITHMS: Record<string, { hash: 'md5' | 'sha256'; sess: boolean; name: string }> = {
  'md5': { hash: 'md5', sess: false, name: 'MD5' },
  'md5-sess': { hash: 'md5', sess: true, name: 'MD5-sess' },
  'sha-256': { hash: 'sha256', sess: false, name: 'SHA-256' },
  'sha-256-sess': { hash: 'sha256', sess: true, name: 'SHA-256-sess' },
};

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

function randomCnonce(): string {
  return randomBytes(16).toString('hex');
}

interface DigestState {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  qop: 'auth' | undefined;
  algorithm: { hash: 'md5' | 'sha256'; sess: boolean; name: string };
  nc: number;
}

class DigestAuth implements AuthPlan {
  readonly headers: Record<string, string> = {};
  readonly query = undefined;
  readonly redactHeaders = ['authorization'];
  readonly redactQuery: string[] = [];
  readonly #user: string;
  readonly #pass: string;
  readonly #cnonce: () => string;
  #state: DigestState | undefined;

  constructor(user: string, pass: string, cnonce: () => string) {
    this.#user = user;
    this.#pass = pass;
    this.#cnonce = cnonce;
  }

  authorize(req: AuthRequestInfo): string | undefined {
    const s = this.#state;
    if (!s) return undefined;
    const H = (v: string) => createHash(s.algorithm.hash).update(v, 'utf8').digest('hex');
    const cnonce = this.#cnonce();
    s.nc += 1;
    const nc = s.nc.toString(16).padStart(8, '0');
    let ha1 = H(`${this.#user}:${s.realm}:${this.#pass}`);
    if (s.algorithm.sess) ha1 = H(`${ha1}:${s.nonce}:${cnonce}`);
    const ha2 = H(`${req.method}:${req.path}`);
    const response = s.qop
      ? H(`${ha1}:${s.nonce}:${nc}:${cnonce}:${s.qop}:${ha2}`)
      : H(`${ha1}:${s.nonce}:${ha2}`);
    let header =
      `Digest username=${quote(this.#user)}, realm=${quote(s.realm)}, nonce=${quote(s.nonce)}, ` +
      `uri=${quote(req.path)}, algorithm=${s.algorithm.name}, response="${response}"`;
    if (s.opaque !== undefined) header += `, opaque=${quote(s.opaque)}`;
    if (s.qop) header += `, qop=${s.qop}, nc=${nc}, cnonce="${cnonce}"`;
    return header;
  }

  onUnauthorized(headers: Record<string, string | string[] | undefined>): boolean {
    const challenges = parseChallenges(headers['www-authenticate']).filter((c) => c.scheme === 'digest');
    let best: DigestState | undefined;
    for (const c of challenges) {
      const algorithm = ALGORITHMS[(c.params.algorithm ?? 'MD5').toLowerCase()];
      const nonce = c.params.nonce;
      if (!algorithm || nonce === undefined) continue;
      const qops = c.params.qop?.split(',').map((q) => q.trim().toLowerCase());
      if (qops && !qops.includes('auth')) continue; // auth-int only: not supported
      const state: DigestState = {
        realm: c.params.realm ?? '',
        nonce,
        opaque: c.params.opaque,
        qop: qops ? 'auth' : undefined,
        algorithm,
        nc: 0,
      };
      if (!best || (best.algorithm.hash === 'md5' && algorithm.hash === 'sha256')) best = state;
    }
    if (!best) return false;
    this.#state = best;
    return true;
  }

  secrets(): string[] {
    return this.#pass ? [this.#pass] : [];
  }

  toJSON(): unknown {
    return { type: 'digest' };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'DigestAuth { [redacted] }';
  }
}

// ---------------------------------------------------------------------------
// OAuth 2.0 client credentials
// ---------------------------------------------------------------------------

interface Token {
  value: string;
  /** Refresh at (ms). */
  refreshAt: number;
}

class OAuth2ClientCredentials implements AuthPlan {
  readonly headers: Record<string, string> = {};
  readonly query = undefined;
  readonly redactHeaders = ['authorization'];
  readonly redactQuery: string[] = [];
  readonly #ctx: AuthContext;
  readonly #endpoint: string | undefined;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #scopes: string[];
  readonly #audience: string | undefined;
  readonly #resource: string | undefined;
  #token: Token | undefined;
  #inflight: Promise<Token> | undefined;
  readonly #issued = new Set<string>();

  constructor(auth: Extract<Authentication, { type: 'oauth2' }>, ctx: AuthContext) {
    this.#ctx = ctx;
    this.#endpoint = auth.tokenEndpoint ?? auth.authorizationServerUri;
    this.#clientId = resolve(auth.clientId, ctx) ?? '';
    this.#clientSecret = resolve(auth.clientSecret, ctx) ?? '';
    this.#scopes = auth.scopes;
    this.#audience = auth.audience;
    this.#resource = auth.resource;
    if (this.#endpoint === undefined) {
      ctx.binds.problems.push({
        kind: 'invalid-base-uri',
        name: `${ctx.namespace}.authentication.tokenEndpoint`,
        hint: `set authentication.tokenEndpoint (or authorizationServerUri) for ${ctx.namespace}`,
        namespace: ctx.namespace,
      });
    }
  }

  async authorize(_req: AuthRequestInfo, signal?: AbortSignal): Promise<string> {
    const now = this.#ctx.clock();
    let token = this.#token;
    if (!token || now >= token.refreshAt) token = await this.#refresh();
    if (signal?.aborted) throw new ConsumerError('CONSUMER_ABORTED', `The call was aborted while fetching a token.`, { phase: 'token' });
    return `Bearer ${token.value}`;
  }

  onUnauthorized(_headers: Record<string, string | string[] | undefined>, sent: string | undefined): boolean {
    // Drop the token the upstream refused (unless a concurrent caller already replaced it).
    if (this.#token && sent === `Bearer ${this.#token.value}`) this.#token = undefined;
    return true;
  }

  /** One token request at a time, shared by every waiting caller (no caller's signal cancels it). */
  #refresh(): Promise<Token> {
    if (!this.#inflight) {
      this.#inflight = this.#fetchToken().finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  async #fetchToken(): Promise<Token> {
    const target = `${this.#ctx.namespace} OAuth2 token endpoint`;
    const endpoint = this.#endpoint;
    if (endpoint === undefined) {
      throw new ConsumerError('CONSUMER_CONFIG', `No OAuth2 token endpoint is configured for ${this.#ctx.namespace}.`, {
        target,
      });
    }
    const url = new URL(endpoint);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.#scopes.length > 0) form.set('scope', this.#scopes.join(' '));
    if (this.#audience !== undefined) form.set('audience', this.#audience);
    if (this.#resource !== undefined) form.set('resource', this.#resource);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.#ctx.oauth2ClientAuth === 'basic') {
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${enc(this.#clientId)}:${enc(this.#clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', this.#clientId);
      form.set('client_secret', this.#clientSecret);
    }
    const started = this.#ctx.clock();
    let res;
    try {
      res = await send(
        { origin: url.origin, path: url.pathname + url.search, method: 'POST', headers, body: form.toString() },
        { ...this.#ctx.transport, target },
      );
    } catch (err) {
      const e = err as ConsumerError;
      throw new ConsumerError(e.code, `Fetching an OAuth2 token for ${this.#ctx.namespace} failed: ${e.message}`, {
        cause: e,
        target,
        phase: 'token',
      });
    }
    let body: { access_token?: unknown; expires_in?: unknown } | undefined;
    try {
      body = JSON.parse(res.raw.toString('utf8')) as typeof body;
    } catch {
      body = undefined;
    }
    if (res.status >= 400 || !body || typeof body.access_token !== 'string' || body.access_token === '') {
      const safe = body && typeof body === 'object' ? { ...body, access_token: undefined } : undefined;
      throw new ConsumerError(
        res.status >= 400 ? 'UPSTREAM_STATUS' : 'UPSTREAM_BAD_BODY',
        `The OAuth2 token endpoint of ${this.#ctx.namespace} answered ${res.status} without a usable access_token; check its client id and secret.`,
        { target, phase: 'token', status: res.status, body: safe },
      );
    }
    const lifetimeMs =
      typeof body.expires_in === 'number' && body.expires_in > 0
        ? body.expires_in * 1000
        : typeof body.expires_in === 'string' && Number(body.expires_in) > 0
          ? Number(body.expires_in) * 1000
          : 3600_000;
    const skew = Math.min(this.#ctx.oauth2SkewMs, lifetimeMs / 2);
    const token: Token = { value: body.access_token, refreshAt: started + lifetimeMs - skew };
    this.#issued.add(token.value);
    if (this.#issued.size > 16) this.#issued.delete(this.#issued.values().next().value as string);
    this.#token = token;
    return token;
  }

  secrets(): string[] {
    return [this.#clientSecret, ...this.#issued].filter((s) => s !== '');
  }

  toJSON(): unknown {
    return { type: 'oauth2' };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'OAuth2ClientCredentials { [redacted] }';
  }
}
