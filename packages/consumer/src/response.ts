import type { OutputMapping, OutputShape } from '@naftiko-ts/spec';
import { JSONPath } from 'jsonpath-plus';
import { ConsumerError } from './errors.js';
import type { ConsumerResult } from './types.js';

type Headers = Record<string, string | string[] | undefined>;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * A cheap sanity check of a JSON document without parsing it: the first and last non-space bytes
 * must be a matching pair (`{…}`, `[…]`, `"…"`) or start a scalar. Catches HTML error pages and
 * most truncations; full validation happens on the lazy parse.
 */
export function looksLikeJson(raw: Buffer): boolean {
  let i = 0;
  let j = raw.length - 1;
  while (i <= j && isWs(raw[i] as number)) i++;
  while (j >= i && isWs(raw[j] as number)) j--;
  if (i > j) return true; // empty body
  const first = raw[i] as number;
  const last = raw[j] as number;
  if (first === 0x7b) return last === 0x7d; // { }
  if (first === 0x5b) return last === 0x5d; // [ ]
  if (first === 0x22) return last === 0x22 && j > i; // " "
  if (first === 0x2d || (first >= 0x30 && first <= 0x39)) return last >= 0x30 && last <= 0x39; // number
  const word = raw.toString('latin1', i, j + 1);
  return word === 'true' || word === 'false' || word === 'null';
}

/** Parses a JSON body; an empty body is `null`. */
export function parseJson(raw: Buffer, target: string, status: number): unknown {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ConsumerError('UPSTREAM_BAD_BODY', `The upstream of ${target} returned a body that is not valid JSON.`, {
      cause: err,
      target,
      status,
      raw,
    });
  }
}

/** Parses a body for an error report: JSON when it is JSON, else the text. Never throws. */
export function parseLoose(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------
// Output mapping
// ---------------------------------------------------------------------------

const WHOLE = new Set(['$', '$.', '']);
const MULTI_RE = /\*|\.\.|\[\?|,|:|\[\(/;

/** Evaluates a JSONPath against a node: no match → null; a definite path → the single value. */
export function select(path: string, node: unknown): unknown {
  const p = path.trim();
  if (WHOLE.has(p)) return node ?? null;
  if (node === null || typeof node !== 'object') return null;
  const results = JSONPath({ path: p, json: node as object, wrap: true, eval: 'safe' }) as unknown[];
  if (!Array.isArray(results) || results.length === 0) return null;
  if (MULTI_RE.test(p.replace(/\['[^']*'\]|\["[^"]*"\]/g, ''))) return results;
  return results[0] ?? null;
}

/** Applies an output mapping (semantics §4) to a parsed body. */
export function applyMapping(mapping: OutputMapping, node: unknown): unknown {
  if (mapping.const !== undefined) return mapping.const;
  if (mapping.type === 'object') {
    if (mapping.properties) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(mapping.properties)) out[key] = applyMapping(child, node);
      return out;
    }
    return mapping.mapping !== undefined ? select(mapping.mapping, node) : null;
  }
  if (mapping.type === 'array') {
    const selected = mapping.mapping !== undefined ? select(mapping.mapping, node) : node;
    if (!mapping.items) return selected;
    if (!Array.isArray(selected)) return selected === null ? null : [];
    const items = mapping.items;
    return selected.map((el) => applyMapping(items, el));
  }
  return mapping.mapping !== undefined ? select(mapping.mapping, node) : null;
}

const UNSET = Symbol('unset');

/** A successful upstream result; parsing and mapping are lazy. */
export class Result implements ConsumerResult {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string | undefined;
  readonly raw: Buffer;
  readonly passthrough: boolean;
  readonly #output: OutputShape | undefined;
  readonly #target: string;
  #body: unknown = UNSET;
  #mapped: unknown = UNSET;

  constructor(
    status: number,
    headers: Headers,
    raw: Buffer,
    output: OutputShape | undefined,
    target: string,
    parsed: unknown = UNSET,
  ) {
    this.status = status;
    this.headers = headers;
    const ct = headers['content-type'];
    this.contentType = Array.isArray(ct) ? ct[0] : ct;
    this.raw = raw;
    this.passthrough = output === undefined || output.kind !== 'mapped';
    this.#output = output;
    this.#target = target;
    this.#body = parsed;
  }

  /** The parsed JSON body (`null` when empty). Throws `UPSTREAM_BAD_BODY` when it is not JSON. */
  get body(): unknown {
    if (this.#body === UNSET) this.#body = parseJson(this.raw, this.#target, this.status);
    return this.#body;
  }

  /** The body shaped by the output mapping. */
  get mapped(): unknown {
    if (this.#mapped === UNSET) {
      const out = this.#output;
      this.#mapped = out !== undefined && out.kind === 'mapped' ? applyMapping(out.root, this.body) : this.body;
    }
    return this.#mapped;
  }

  /** For `JSON.stringify(result)`: the shaped body. */
  toJSON(): unknown {
    return { status: this.status, body: this.mapped };
  }
}

/** Internal: lets the consumer pass an eagerly parsed body. */
export const RESULT_UNSET: unknown = UNSET;
