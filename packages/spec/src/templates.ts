import type { Bind, Expr, Ref, TemplatePart, UrlTemplate } from './model.js';

/** What a reference is resolved against. */
export interface ExpressionContext {
  /** Root-level and capability-level binds. */
  binds?: readonly Bind[];
  /** Namespaces of the exposed adapters (`<ns>.x` and `$this.<ns>.x` refer to input `x`). */
  exposeNamespaces?: readonly string[];
}

const URL_PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}|\{([^{}]*)\}/g;

/** Parse a `baseUri` or resource path: `{x}` and `{{x}}` are both placeholders. */
export function parseUrlTemplate(raw: string): UrlTemplate {
  const parts: UrlTemplate['parts'] = [];
  const variables: string[] = [];
  let last = 0;
  for (const m of raw.matchAll(URL_PLACEHOLDER)) {
    const name = (m[1] ?? m[2] ?? '').trim();
    const index = m.index ?? 0;
    if (name === '') continue;
    if (index > last) parts.push({ kind: 'text', text: raw.slice(last, index) });
    parts.push({ kind: 'var', name });
    if (!variables.includes(name)) variables.push(name);
    last = index + m[0].length;
  }
  if (last < raw.length) parts.push({ kind: 'text', text: raw.slice(last) });
  return { raw, parts, variables };
}

/** Render a URL template back to text with `{x}` placeholders (`{{x}}` becomes `{x}`). */
export function formatUrlTemplate(t: UrlTemplate): string {
  return t.parts.map((p) => (p.kind === 'text' ? p.text : `{${p.name}}`)).join('');
}

const INPUT_PREFIXES = ['rest.', 'tools.', 'args.'];

/**
 * The exposed input a bare expression refers to (`rest.x`, `tools.x`, `args.x`, `$this.ns.x`,
 * `<expose-ns>.x`), or undefined when the text is not such a reference.
 */
export function inputReferenceName(text: string, context: ExpressionContext = {}): string | undefined {
  for (const prefix of INPUT_PREFIXES) {
    if (text.startsWith(prefix) && text.length > prefix.length) return text.slice(prefix.length);
  }
  if (text.startsWith('$this.')) {
    const rest = text.slice('$this.'.length);
    const dot = rest.indexOf('.');
    if (dot > 0 && dot < rest.length - 1) return rest.slice(dot + 1);
    return undefined;
  }
  for (const ns of context.exposeNamespaces ?? []) {
    if (text.startsWith(ns + '.') && text.length > ns.length + 1) return text.slice(ns.length + 1);
  }
  return undefined;
}

/** Resolve the text between `{{` and `}}`. */
export function resolveReference(inner: string, context: ExpressionContext = {}): Ref {
  const path = inner.trim();
  const binds = context.binds ?? [];
  const input = inputReferenceName(path, context);
  if (input !== undefined) return { kind: 'input', name: input };
  const dot = path.indexOf('.');
  if (dot > 0) {
    const ns = path.slice(0, dot);
    const variable = path.slice(dot + 1);
    const bind = binds.find((b) => b.namespace === ns);
    if (bind) {
      return { kind: 'bind', namespace: ns, variable, sourceKey: (Object.hasOwn(bind.keys, variable) ? bind.keys[variable] : undefined) ?? variable };
    }
    return { kind: 'unknown', path };
  }
  for (const bind of binds) {
    const sourceKey = Object.hasOwn(bind.keys, path) ? bind.keys[path] : undefined;
    if (sourceKey !== undefined) return { kind: 'bind', namespace: bind.namespace, variable: path, sourceKey };
  }
  if (path === '') return { kind: 'unknown', path };
  return { kind: 'input', name: path };
}

const TEMPLATE_PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/**
 * Split a string with `{{…}}` placeholders into text and reference parts. `whole` is true when
 * the string is exactly one placeholder.
 */
export function parseTemplate(
  raw: string,
  context: ExpressionContext = {},
): { parts: TemplatePart[]; whole: boolean } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of raw.matchAll(TEMPLATE_PLACEHOLDER)) {
    const index = m.index ?? 0;
    if (index > last) parts.push({ kind: 'text', text: raw.slice(last, index) });
    parts.push({ kind: 'ref', ref: resolveReference(m[1] ?? '', context), raw: m[0] });
    last = index + m[0].length;
  }
  if (last < raw.length) parts.push({ kind: 'text', text: raw.slice(last) });
  const whole = parts.length === 1 && parts[0]?.kind === 'ref';
  return { parts, whole };
}

/** True when the string contains at least one `{{…}}` placeholder. */
export function hasTemplate(raw: string): boolean {
  return /\{\{[^{}]*\}\}/.test(raw);
}

/**
 * Parse a value expression (`with` values, parameter `value`, auth fields):
 * - `rest.x`, `tools.x`, `args.x`, `$this.ns.x`, `<expose-ns>.x` → input `x`;
 * - a string with `{{…}}` → template (refs resolved against binds);
 * - anything else → literal.
 */
export function parseExpression(value: unknown, context: ExpressionContext = {}): Expr {
  if (typeof value !== 'string') return { kind: 'literal', value };
  const input = inputReferenceName(value, context);
  if (input !== undefined && !/\s/.test(value)) return { kind: 'input', name: input, raw: value };
  if (hasTemplate(value)) {
    const { parts, whole } = parseTemplate(value, context);
    return { kind: 'template', raw: value, parts, whole };
  }
  return { kind: 'literal', value };
}

/** Every reference an expression contains (bare input or template refs), in order. */
export function expressionRefs(expr: Expr): Ref[] {
  if (expr.kind === 'input') return [{ kind: 'input', name: expr.name }];
  if (expr.kind === 'template') {
    const refs: Ref[] = [];
    for (const p of expr.parts) if (p.kind === 'ref') refs.push(p.ref);
    return refs;
  }
  return [];
}
