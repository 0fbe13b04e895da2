/**
 * Exposed-side authentication (`exposes[].authentication`): bearer, apikey (header or query) and
 * basic, checked with constant-time comparison of SHA-256 digests. Secrets are resolved once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authentication, Expr, Ref } from '@naftiko-ts/spec';
import { RestAdapterError } from './errors.js';

/** Looks a bind variable up: returns its value or `undefined`. */
export type SecretLookup = (ref: Extract<Ref, { kind: 'bind' }>) => string | undefined;

/** The minimal request view the check needs (fastify's request fits). */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
}

export interface AuthCheck {
  /** `bearer`, `apikey` or `basic`. */
  type: string;
  /** Value of the `WWW-Authenticate` header sent with a 401. */
  challenge: string;
  /** Lower-cased header names that carry the credential (for log redaction). */
  headerNames: string[];
  /** Query parameter names that carry the credential (never forwarded upstream). */
  queryNames: string[];
  /** The secret values involved (for log redaction). */
  secrets: string[];
  check(request: AuthRequest): boolean;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function safeEqual(given: string | undefined, expected: Buffer): boolean {
  // Always hash and compare, so that a missing credential costs the same as a wrong one.
  const ok = timingSafeEqual(sha256(given ?? ''), expected);
  return given !== undefined && ok;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** Renders an auth `Expr` to its value (literals and bind references only). */
export function resolveAuthValue(expr: Expr, lookup: SecretLookup, where: string): string {
  switch (expr.kind) {
    case 'literal':
      return String(expr.value);
    case 'input':
      throw new RestAdapterError('REST_AUTH_SECRET_MISSING', `${where}: \`${expr.raw}\` refers to a request input; exposed authentication values must be literals or bind variables (\`{{VAR}}\`).`);
    case 'template': {
      let out = '';
      for (const part of expr.parts) {
        if (part.kind === 'text') {
          out += part.text;
          continue;
        }
        const ref = part.ref;
        if (ref.kind !== 'bind') {
          throw new RestAdapterError('REST_AUTH_SECRET_MISSING', `${where}: \`${part.raw}\` is not a bind variable; declare it under \`binds\` and reference it as \`{{VAR}}\`.`);
        }
        const value = lookup(ref);
        if (value === undefined || value === '') {
          throw new RestAdapterError('REST_AUTH_SECRET_MISSING', `${where}: the secret \`${ref.variable}\` is not set. Set the environment variable ${ref.sourceKey} (bind \`${ref.namespace}\`) or pass it in \`exposedSecrets\`.`);
        }
        out += value;
      }
      return out;
    }
  }
}

/** Builds the check for one adapter's `authentication`. */
export function createAuthCheck(auth: Authentication, realm: string, lookup: SecretLookup): AuthCheck {
  const where = `Exposed authentication (${auth.pointer})`;
  switch (auth.type) {
    case 'bearer': {
      const token = resolveAuthValue(auth.token, lookup, where);
      const expected = sha256(token);
      return {
        type: 'bearer',
        challenge: `Bearer realm=${quote(realm)}`,
        headerNames: ['authorization'],
        queryNames: [],
        secrets: [token],
        check(request) {
          const h = firstHeader(request.headers['authorization']);
          const m = h === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
          return safeEqual(m?.[1], expected);
        },
      };
    }
    case 'apikey': {
      const value = resolveAuthValue(auth.value, lookup, where);
      const expected = sha256(value);
      if (auth.placement === 'query') {
        const name = auth.key;
        return {
          type: 'apikey',
          challenge: `ApiKey realm=${quote(realm)}, in="query", name=${quote(name)}`,
          headerNames: [],
          queryNames: [name],
          secrets: [value],
          check(request) {
            const q = request.query as Record<string, unknown> | undefined;
            const v = q?.[name];
            return safeEqual(typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined, expected);
          },
        };
      }
      const header = auth.key.toLowerCase();
      return {
        type: 'apikey',
        challenge: `ApiKey realm=${quote(realm)}, in="header", name=${quote(auth.key)}`,
        headerNames: [header],
        queryNames: [],
        secrets: [value],
        check(request) {
          return safeEqual(firstHeader(request.headers[header]), expected);
        },
      };
    }
    case 'basic': {
      const username = resolveAuthValue(auth.username, lookup, where);
      const password = resolveAuthValue(auth.password, lookup, where);
      const expectedUser = sha256(username);
      const expectedPass = sha256(password);
      return {
        type: 'basic',
        challenge: `Basic realm=${quote(realm)}, charset="UTF-8"`,
        headerNames: ['authorization'],
        queryNames: [],
        secrets: [password, username].filter((s) => s.length > 0),
        check(request) {
          const h = firstHeader(request.headers['authorization']);
          const m = h === undefined ? null : /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(h);
          let user: string | undefined;
          let pass: string | undefined;
          if (m?.[1] !== undefined) {
            const decoded = Buffer.from(m[1], 'base64').toString('utf8');
            const i = decoded.indexOf(':');
            if (i >= 0) {
              user = decoded.slice(0, i);
              pass = decoded.slice(i + 1);
            }
          }
          // Both comparisons always run (no short-circuit).
          const u = safeEqual(user, expectedUser);
          const p = safeEqual(pass, expectedPass);
          return u && p;
        },
      };
    }
    default:
      throw new RestAdapterError('REST_AUTH_UNSUPPORTED', `${where}: \`type: ${auth.type}\` is not enforced by the REST adapter (bearer, apikey and basic are). Refusing to serve the routes unprotected.`);
  }
}
