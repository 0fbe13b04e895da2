/**
 * Bind values, expression compilation and template rendering.
 *
 * Everything here is resolved once (start-up / `prepare`) into small closures; the hot path only
 * calls the closures.
 */
import { hasTemplate, parseTemplate, type ExpressionContext } from '@naftiko-ts/spec';
import type { Bind, Capability, Expr, Ref, TemplatePart } from '@naftiko-ts/spec';
import { createRequire } from 'node:module';
import type { StartupProblem } from './types.js';

const requireModule = createRequire(import.meta.url);
let yamlParse: ((text: string) => unknown) | undefined;

/**
 * Bind file text to data: JSON first unless the file has a YAML extension; `yaml` (≈ 50 ms to
 * load) is required only for a YAML file or text that is not JSON.
 */
function parseBindText(location: string, text: string): unknown {
  if (!/\.ya?ml$/i.test(location)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // not JSON: YAML below (JSON is a subset of YAML, so the result is the same as before)
    }
  }
  yamlParse ??= (requireModule('yaml') as { parse: (text: string) => unknown }).parse;
  return yamlParse(text);
}

export type Inputs = Record<string, unknown>;
/** Returns the value, or `undefined` when the key must be left unset. */
export type Getter = (inputs: Inputs) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

/** Own-property read (never the prototype: an input named `constructor` is just absent). */
export function readInput(inputs: Inputs, name: string): unknown {
  return hasOwn.call(inputs, name) ? inputs[name] : undefined;
}

/** Case-insensitive own-property read, exact name first. */
export function readInputLoose(inputs: Inputs, name: string, lower: string): unknown {
  if (hasOwn.call(inputs, name)) return inputs[name];
  for (const key in inputs) {
    if (hasOwn.call(inputs, key) && key.toLowerCase() === lower) return inputs[key];
  }
  return undefined;
}

export interface BindEnvironment {
  env: Record<string, string | undefined>;
  secrets: Record<string, string>;
  readFile: (path: string) => string;
}

/**
 * Bind values resolved at start-up. Lookup by `namespace.VAR` and by bare `VAR`.
 * Values live only in this closure-held map; nothing here is printable.
 */
export class BindStore {
  readonly #byQualified = new Map<string, string>();
  readonly #byVar = new Map<string, string>();
  /** Bind namespaces read from the environment (no `location`). */
  readonly #envNamespaces = new Set<string>();
  readonly #bindNamespaces = new Set<string>();
  /** `ns.VAR` of every declared key. */
  readonly #declared = new Set<string>();
  readonly #env: Record<string, string | undefined>;
  readonly #secrets: Record<string, string>;
  readonly problems: StartupProblem[] = [];
  readonly #reported = new Set<string>();

  constructor(capability: Capability, envs: BindEnvironment) {
    this.#env = envs.env;
    this.#secrets = envs.secrets;
    const fileCache = new Map<string, Record<string, unknown> | null>();
    for (const bind of capability.binds) {
      this.#bindNamespaces.add(bind.namespace);
      if (bind.location === undefined) this.#envNamespaces.add(bind.namespace);
      let fileData: Record<string, unknown> | null = null;
      if (bind.location !== undefined) {
        if (!fileCache.has(bind.location)) {
          fileCache.set(bind.location, this.#readBindFile(capability.source, bind, envs.readFile));
        }
        fileData = fileCache.get(bind.location) ?? null;
      }
      for (const [variable, sourceKey] of Object.entries(bind.keys)) {
        this.#declared.add(`${bind.namespace}.${variable}`);
        let value: string | undefined = pick(envs.secrets, variable);
        if (value === undefined) {
          if (bind.location === undefined) value = pick(envs.env, sourceKey);
          else if (fileData) value = lookupPath(fileData, sourceKey);
        }
        if (value === undefined || value === '') {
          if (bind.location === undefined || fileData) {
            this.#report({
              kind: 'missing-secret',
              name: bind.location === undefined ? sourceKey : variable,
              hint:
                bind.location === undefined
                  ? `set the environment variable ${sourceKey} (bind ${bind.namespace}.${variable})`
                  : `add the key ${sourceKey} to ${bind.location} (bind ${bind.namespace}.${variable})`,
              namespace: bind.namespace,
            });
          }
          continue;
        }
        this.#byQualified.set(`${bind.namespace}.${variable}`, value);
        if (!this.#byVar.has(variable)) this.#byVar.set(variable, value);
      }
    }
  }

  #report(problem: StartupProblem): void {
    const key = `${problem.kind}:${problem.name}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.problems.push(problem);
  }

  #readBindFile(source: string, bind: Bind, readFile: (p: string) => string): Record<string, unknown> | null {
    const location = bind.location ?? '';
    try {
      const text = readFile(resolveFileLocation(source, location));
      const data: unknown = parseBindText(location, text);
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a mapping');
      return data as Record<string, unknown>;
    } catch {
      this.#report({
        kind: 'unreadable-bind-file',
        name: location,
        hint: `make ${location} (relative to the capability file) a readable JSON or YAML mapping (bind ${bind.namespace})`,
        namespace: bind.namespace,
      });
      return null;
    }
  }

  /**
   * Resolves a bind reference (`{{VAR}}`, `{{ns.VAR}}`). A key the bind does not list, in a bind
   * namespace read from the environment, reads the same-name environment variable (reported as a
   * missing secret when `report` is set and it is unset).
   */
  get(ref: { namespace: string; variable: string; sourceKey: string }, report = false): string | undefined {
    const known =
      pick(this.#secrets, ref.variable) ??
      this.#byQualified.get(`${ref.namespace}.${ref.variable}`) ??
      this.#byVar.get(ref.variable);
    if (known !== undefined) return known;
    if (this.#declared.has(`${ref.namespace}.${ref.variable}`)) return undefined; // reported already
    if (!this.#envNamespaces.has(ref.namespace)) return undefined;
    const value = pick(this.#env, ref.sourceKey);
    if ((value === undefined || value === '') && report) {
      this.#report({
        kind: 'missing-secret',
        name: ref.sourceKey,
        hint: `set the environment variable ${ref.sourceKey}`,
        namespace: ref.namespace,
      });
    }
    return value === '' ? undefined : value;
  }

  /**
   * Lenient resolution of a reference the spec could not resolve (`{{env.BIGCOMMERCE_USER}}` where the
   * `env` bind does not list `BIGCOMMERCE_USER`): an environment bind namespace reads the same-name
   * environment variable. Reports a missing secret when `report` is set.
   */
  getUnknown(path: string, report: boolean): string | undefined {
    const dot = path.indexOf('.');
    let variable = path;
    if (dot > 0) {
      const ns = path.slice(0, dot);
      if (!this.#bindNamespaces.has(ns)) return undefined;
      variable = path.slice(dot + 1);
      const known = this.#byQualified.get(path);
      if (known !== undefined) return known;
      if (!this.#envNamespaces.has(ns)) return undefined;
    } else {
      const known = this.#byVar.get(variable);
      if (known !== undefined) return known;
      if (this.#envNamespaces.size === 0) return undefined;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) return undefined;
    const value = pick(this.#secrets, variable) ?? pick(this.#env, variable);
    if ((value === undefined || value === '') && report) {
      this.#report({ kind: 'missing-secret', name: variable, hint: `set the environment variable ${variable}` });
    }
    return value === '' ? undefined : value;
  }

  /** Every resolved value (for redaction). */
  values(): string[] {
    return [...new Set([...this.#byQualified.values(), ...this.#byVar.values()])];
  }
}

function pick(record: Record<string, string | undefined>, key: string): string | undefined {
  return hasOwn.call(record, key) ? record[key] : undefined;
}

function lookupPath(data: Record<string, unknown>, key: string): string | undefined {
  let value: unknown = hasOwn.call(data, key) ? data[key] : undefined;
  if (value === undefined && key.includes('.')) {
    value = data;
    for (const part of key.split('.')) {
      value =
        value !== null && typeof value === 'object' && hasOwn.call(value, part)
          ? (value as Record<string, unknown>)[part]
          : undefined;
    }
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `file://x.json` relative to the capability source (a path or a `file:` URI). */
export function resolveFileLocation(source: string, location: string): string {
  let rel = location;
  if (rel.startsWith('file://')) rel = rel.slice('file://'.length);
  if (rel.startsWith('/')) return decodeURIComponent(rel);
  let base = source;
  if (base.startsWith('file://')) base = decodeURIComponent(new URL(base).pathname);
  const slash = base.lastIndexOf('/');
  const dir = slash >= 0 ? base.slice(0, slash) : '.';
  return `${dir}/${decodeURIComponent(rel)}`;
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

/** Stringify a value for a URL, header or text template. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

export interface ExprContext {
  binds: BindStore;
  /** Report unresolved secrets as start-up problems (auth material). */
  report?: boolean;
}

function compileRef(ref: Ref, ctx: ExprContext): Getter {
  switch (ref.kind) {
    case 'input': {
      const name = ref.name;
      return (inputs) => readInput(inputs, name);
    }
    case 'bind': {
      const value = ctx.binds.get(ref, ctx.report === true);
      return () => value;
    }
    default: {
      const value = ctx.binds.getUnknown(ref.path, ctx.report === true);
      return () => value;
    }
  }
}

function compileParts(parts: TemplatePart[], whole: boolean, ctx: ExprContext): Getter {
  if (whole && parts.length === 1 && parts[0]?.kind === 'ref') return compileRef(parts[0].ref, ctx);
  const compiled: Array<string | Getter> = parts.map((p) => (p.kind === 'text' ? p.text : compileRef(p.ref, ctx)));
  if (compiled.every((p) => typeof p === 'string')) {
    const text = compiled.join('');
    return () => text;
  }
  return (inputs) => {
    let out = '';
    for (const part of compiled) {
      if (typeof part === 'string') out += part;
      else {
        const v = part(inputs);
        if (v === undefined || v === null) return undefined;
        out += toText(v);
      }
    }
    return out;
  };
}

/** Compiles an `Expr` into a getter. `undefined` from the getter means "leave unset". */
export function compileExpr(expr: Expr, ctx: ExprContext): Getter {
  switch (expr.kind) {
    case 'literal': {
      const value = expr.value;
      return () => value;
    }
    case 'input': {
      const name = expr.name;
      return (inputs) => readInput(inputs, name);
    }
    case 'template':
      return compileParts(expr.parts, expr.whole, ctx);
    default:
      return () => undefined;
  }
}

// ---------------------------------------------------------------------------
// Raw templates (body templates carry raw strings)
// ---------------------------------------------------------------------------

export interface RawTemplateScope {
  binds: BindStore;
  /** How the spec resolves references (binds, exposed namespaces). */
  context: ExpressionContext;
}

/** Parses a raw string with `{{…}}` placeholders (the spec's own resolution); null when it has none. */
export function parseRawTemplate(raw: string, scope: RawTemplateScope): Expr | null {
  if (!hasTemplate(raw)) return null;
  const { parts, whole } = parseTemplate(raw, scope.context);
  return { kind: 'template', raw, parts, whole };
}

/**
 * Compiles raw JSON-ish data (a body template) into a getter producing the rendered value:
 * strings with placeholders are rendered (a whole placeholder keeps the JSON type), absent values
 * drop their object key.
 */
export function compileData(data: unknown, scope: RawTemplateScope): Getter {
  if (typeof data === 'string') {
    const expr = parseRawTemplate(data, scope);
    if (!expr) return () => data;
    return compileExpr(expr, { binds: scope.binds });
  }
  if (Array.isArray(data)) {
    const items = data.map((d) => compileData(d, scope));
    return (inputs) => items.map((g) => g(inputs) ?? null);
  }
  if (data !== null && typeof data === 'object') {
    const entries = Object.entries(data as Record<string, unknown>).map(
      ([k, v]) => [k, compileData(v, scope)] as const,
    );
    return (inputs) => {
      const out: Record<string, unknown> = {};
      for (const [k, g] of entries) {
        const v = g(inputs);
        if (v !== undefined) out[k] = v;
      }
      return out;
    };
  }
  return () => data;
}
