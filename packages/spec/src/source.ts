import * as yamlLibrary from 'yaml';
import { fastParse } from './fast-yaml.js';
import type { Document, Node } from 'yaml';
import type { SourcePosition, SourceRange } from './model.js';

/**
 * The full `yaml` parser: used when the fast reader hands a document over (flow style, anchors,
 * syntax errors…). Imported statically so the package stays free of Node built-ins and works in
 * any bundler or runtime.
 */
function yaml(): typeof yamlLibrary {
  return yamlLibrary;
}

/** Escape one JSON pointer segment (`~` → `~0`, `/` → `~1`). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function childPointer(pointer: string, segment: string | number): string {
  return `${pointer}/${escapePointerSegment(String(segment))}`;
}

export interface YamlIssue {
  kind: 'error' | 'warning';
  code: string;
  message: string;
  start: number;
  end: number;
}

const MAX_DEPTH = 256;
const MAX_ALIAS_NODES = 10_000;

/**
 * The YAML text converted to plain JS, plus a pointer → range index (value ranges, and key ranges
 * for mapping entries) so that every diagnostic can point at the exact place.
 */
export class SourceMap {
  readonly text: string;
  private lineStarts: number[] | undefined;
  private values = new Map<string, [number, number]>();
  private keys = new Map<string, [number, number]>();
  /** Which reader produced the value: the fast subset reader or the full `yaml` parser. */
  readonly reader: 'fast' | 'yaml';
  value: unknown;
  /** False when the document could not be parsed into any content. */
  hasContent = false;
  readonly issues: YamlIssue[] = [];
  private aliasBudget = MAX_ALIAS_NODES;
  private readonly anchors = new Map<string, Node>();

  constructor(text: string, options: { fast?: boolean } = {}) {
    this.text = text;
    const fast = options.fast === false ? undefined : fastParse(text);
    if (fast) {
      this.reader = 'fast';
      this.value = fast.value;
      this.values = fast.values;
      this.keys = fast.keys;
      this.hasContent = true;
      return;
    }
    this.reader = 'yaml';
    let doc: Document.Parsed | undefined;
    try {
      doc = yaml().parseDocument(text, {
        prettyErrors: false,
        uniqueKeys: true,
        strict: true,
      });
    } catch (cause) {
      this.issues.push({ kind: 'error', code: 'YAML', message: String((cause as Error)?.message ?? cause), start: 0, end: 0 });
      return;
    }
    for (const e of doc.errors) {
      this.issues.push({ kind: 'error', code: e.code, message: e.message, start: e.pos[0], end: e.pos[1] });
    }
    for (const w of doc.warnings) {
      this.issues.push({ kind: 'warning', code: w.code, message: w.message, start: w.pos[0], end: w.pos[1] });
    }
    const contents = doc.contents;
    if (contents !== null && contents !== undefined) {
      this.hasContent = true;
      this.value = this.convert(doc, contents as Node, '#', 0, undefined);
    } else {
      this.value = null;
    }
  }

  private record(pointer: string, node: Node | null | undefined, into: Map<string, [number, number]>, override?: [number, number]): void {
    if (into.has(pointer)) return;
    if (override) {
      into.set(pointer, override);
      return;
    }
    const r = node?.range;
    if (r) into.set(pointer, [r[0], r[1]]);
  }

  private convert(doc: Document.Parsed, node: Node | null, pointer: string, depth: number, at: [number, number] | undefined): unknown {
    const { isAlias, isMap, isScalar, isSeq } = yaml();
    if (node === null || node === undefined) return null;
    this.record(pointer, node, this.values, at);
    if (depth > MAX_DEPTH) return null;
    if (isAlias(node)) {
      // Anchors are registered in document order, so this is the latest anchor before the alias
      // (yaml's own `resolve` walks the whole document per alias, which is quadratic).
      const target = this.anchors.get(node.source);
      if (!target) return null;
      const r = node.range;
      return this.convert(doc, target, pointer, depth + 1, at ?? (r ? [r[0], r[1]] : undefined));
    }
    if (at !== undefined && --this.aliasBudget < 0) {
      if (this.aliasBudget === -1) {
        const r = node.range;
        this.issues.push({ kind: 'error', code: 'ALIAS_LIMIT', message: `Aliases expand to more than ${MAX_ALIAS_NODES} nodes; refusing to expand them further`, start: r?.[0] ?? 0, end: r?.[1] ?? 0 });
      }
      return null;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor && at === undefined) this.anchors.set(anchor, node);
    if (isScalar(node)) {
      const v = node.value;
      return typeof v === 'bigint' ? Number(v) : v;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        let key: string;
        if (keyNode === null || keyNode === undefined) key = '';
        else if (isScalar(keyNode)) key = String(keyNode.value);
        else key = String(keyNode.toString());
        const p = childPointer(pointer, key);
        this.record(p, keyNode, this.keys, at);
        const value = this.convert(doc, pair.value as Node | null, p, depth + 1, at);
        if (!this.values.has(p)) {
          // `key:` with no value: point at the key.
          const kr = this.keys.get(p);
          if (kr) this.values.set(p, kr);
        }
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      node.items.forEach((item, i) => {
        out.push(this.convert(doc, item as Node | null, childPointer(pointer, i), depth + 1, at));
      });
      return out;
    }
    return null;
  }

  position(offset: number): SourcePosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: o - (starts[lo] ?? 0), offset: o };
  }

  /** For tests: the recorded ranges. */
  ranges(): { values: ReadonlyMap<string, [number, number]>; keys: ReadonlyMap<string, [number, number]> } {
    return { values: this.values, keys: this.keys };
  }

  rangeOf(start: number, end: number): SourceRange {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    return { start: this.position(s), end: this.position(e) };
  }

  /**
   * The range for a pointer: the key's range when `key` is true and the pointer names a mapping
   * entry, else the value's range. Falls back to the nearest ancestor that has a range.
   */
  range(pointer: string, key = false): SourceRange {
    let p = pointer;
    for (;;) {
      const r = (key ? this.keys.get(p) : undefined) ?? this.values.get(p) ?? this.keys.get(p);
      if (r) return this.rangeOf(r[0], r[1]);
      const slash = p.lastIndexOf('/');
      if (slash < 0) return this.rangeOf(0, 0);
      p = p.slice(0, slash);
      key = true;
    }
  }
}
