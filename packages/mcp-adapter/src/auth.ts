/**
 * Exposed-side authentication of the MCP endpoint (`authentication` on the MCP adapter):
 * bearer, apikey (header or query) and basic, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authentication, Expr, McpAdapter } from '@naftiko-ts/spec';
import { McpAdapterError } from './errors.js';

export type SecretLookup = (variable: string, sourceKey: string) => string | undefined;

export interface AuthCheck {
  /** `WWW-Authenticate` challenge to send with a 401. */
  challenge: string;
  verify(headers: Record<string, string | string[] | undefined>, query: URLSearchParams | undefined): boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function same(a: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(a), expected);
}

function resolve(expr: Expr, lookup: SecretLookup, what: string): string {
  switch (expr.kind) {
    case 'literal':
      return String(expr.value);
    case 'input':
      throw new McpAdapterError('MCP_CONFIG', `${what} refers to a request input (\`${expr.raw}\`); use a literal or a bind variable.`);
    case 'template': {
      let out = '';
      for (const part of expr.parts) {
        if (part.kind === 'text') out += part.text;
        else if (part.ref.kind === 'bind') {
          const v = lookup(part.ref.variable, part.ref.sourceKey);
          if (v === undefined || v === '') {
            throw new McpAdapterError('MCP_CONFIG', `${what} needs the secret \`${part.ref.sourceKey}\`: set that environment variable (or bind it) before starting.`);
          }
          out += v;
        } else {
          throw new McpAdapterError('MCP_CONFIG', `${what} refers to \`${part.raw}\`, which is not a bind variable.`);
        }
      }
      return out;
    }
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function createAuthCheck(auth: Authentication, adapter: McpAdapter, lookup: SecretLookup): AuthCheck {
  const what = `The \`authentication\` of MCP adapter \`${adapter.namespace}\``;
  switch (auth.type) {
    case 'bearer': {
      const expected = digest(resolve(auth.token, lookup, what));
      return {
        challenge: 'Bearer realm="mcp"',
        verify(headers) {
          const h = header(headers, 'authorization');
          const m = h ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h) : null;
          return m !== null && same(m[1]!, expected);
        },
      };
    }
    case 'apikey': {
      const expected = digest(resolve(auth.value, lookup, what));
      return {
        challenge: `ApiKey ${auth.placement === 'query' ? 'query' : 'header'}="${auth.key}"`,
        verify(headers, query) {
          const v = auth.placement === 'query' ? query?.get(auth.key) ?? undefined : header(headers, auth.key);
          return v !== undefined && same(v, expected);
        },
      };
    }
    case 'basic': {
      const user = resolve(auth.username, lookup, what);
      const pass = resolve(auth.password, lookup, what);
      const expected = digest(`${user}:${pass}`);
      return {
        challenge: 'Basic realm="mcp", charset="UTF-8"',
        verify(headers) {
          const h = header(headers, 'authorization');
          const m = h ? /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(h) : null;
          if (!m) return false;
          return same(Buffer.from(m[1]!, 'base64').toString('utf8'), expected);
        },
      };
    }
    default:
      throw new McpAdapterError('MCP_UNSUPPORTED', `${what} uses \`${auth.type}\`, which the MCP endpoint does not enforce yet; use bearer, apikey or basic.`);
  }
}
