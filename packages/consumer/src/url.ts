import type { UrlTemplate } from '@naftiko-ts/spec';

const PLACEHOLDER_RE = /\{\{\s*([^{}\s]+)\s*\}\}|\{([^{}\s]+)\}/g;

/** Parses a URL template where `{x}` and `{{x}}` are the same placeholder (for `--base-uri`). */
export function parseUrlTemplate(raw: string): UrlTemplate {
  const parts: UrlTemplate['parts'] = [];
  const variables: string[] = [];
  let last = 0;
  for (const m of raw.matchAll(PLACEHOLDER_RE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: raw.slice(last, at) });
    const name = (m[1] ?? m[2] ?? '').trim();
    parts.push({ kind: 'var', name });
    if (!variables.includes(name)) variables.push(name);
    last = at + m[0].length;
  }
  if (last < raw.length) parts.push({ kind: 'text', text: raw.slice(last) });
  return { raw, parts, variables };
}

/** Percent-encodes a value as exactly one path segment (`/`, `?`, `#`, `%` encoded; `.`/`..` too). */
export function encodePathSegment(value: string): string {
  if (value === '.') return '%2E';
  if (value === '..') return '%2E%2E';
  return encodeURIComponent(value);
}

/**
 * Encodes a query name or value. `:` and `,` stay literal (`id:in=1,2`): both are legal in a query
 * (RFC 3986 §3.4) and BigCommerce documents them that way.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** Joins a base and a path with exactly one `/`. */
export function joinPath(base: string, path: string): string {
  if (path === '' || path === '/') return base === '' ? '/' : base;
  const b = base.endsWith('/') ? base.slice(0, -1) : base;
  const p = path.startsWith('/') ? path : `/${path}`;
  return b + p;
}
