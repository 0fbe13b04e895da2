/**
 * A fast reader for the plain block-style YAML subset that capability files are written in
 * (block mappings and sequences, plain and simply quoted scalars, comments). It returns
 * `undefined` ("bail") on anything outside that subset or anything suspicious, and the caller
 * then uses the full `yaml` parser, which also produces every syntax error. A differential test
 * checks that both readers give the same values and positions.
 *
 * Why: `yaml`'s complete parser spends most of the corpus parse time on features these files do
 * not use; this path makes parsing the 179-file corpus several times faster.
 */

function childPointer(pointer: string, segment: string | number): string {
  const s = String(segment);
  return `${pointer}/${s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s}`;
}

export interface FastResult {
  value: unknown;
  values: Map<string, [number, number]>;
  keys: Map<string, [number, number]>;
}

interface Line {
  /** Column of the first content character. */
  indent: number;
  /** Content from `indent` to the end of the line (no line break). */
  content: string;
  /** Offset of `content` in the text. */
  offset: number;
  /** A blank or comment-only line came right before this one. */
  afterGap: boolean;
  /** A trailing comment was removed from this line. */
  comment: boolean;
}

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

const FORBIDDEN_START = /^[[\]{}&*!|>%@`?,]/;

export function fastParse(text: string): FastResult | undefined {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new FastReader(text).read();
  } catch (e) {
    if (e instanceof Bail || e instanceof RangeError) return undefined;
    throw e;
  }
}

class FastReader {
  private readonly lines: Line[] = [];
  private i = 0;
  readonly values = new Map<string, [number, number]>();
  readonly keys = new Map<string, [number, number]>();

  constructor(private readonly text: string) {
    let offset = 0;
    let gap = false;
    for (const raw of text.split('\n')) {
      let indent = 0;
      while (raw.charCodeAt(indent) === 32) indent++;
      const content = raw.slice(indent);
      if (content !== '' && content[0] !== '#') {
        if (content.startsWith('---') || content.startsWith('...') || content[0] === '%') bail();
        const stripped = stripComment(content);
        this.lines.push({ indent, content: stripped, offset: offset + indent, afterGap: gap, comment: stripped.length < trimSpaces(content).length });
        gap = false;
      } else gap = true;
      offset += raw.length + 1;
    }
  }

  read(): FastResult {
    const first = this.lines[0];
    if (!first || first.indent !== 0) bail();
    const value = this.node(0, '#', true);
    if (this.i !== this.lines.length) bail();
    if (value === null || typeof value !== 'object') bail();
    return { value, values: this.values, keys: this.keys };
  }

  /** The node starting at the current line, whose lines are indented at least `min`. */
  private node(min: number, pointer: string, top = false): unknown {
    const line = this.lines[this.i];
    if (!line || line.indent < min) bail();
    const l = line as Line;
    if (l.content === '-' || l.content.startsWith('- ')) return this.sequence(l.indent, pointer);
    if (keyOf(l.content) !== undefined) return this.mapping(l.indent, pointer);
    if (top) bail();
    return bail();
  }

  private mapping(indent: number, pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const start = this.lines[this.i]?.offset ?? 0;
    let end = start;
    for (;;) {
      const line = this.lines[this.i];
      if (!line || line.indent < indent) break;
      if (line.indent > indent) bail();
      if (line.content === '-' || line.content.startsWith('- ')) break;
      const key = keyOf(line.content);
      if (key === undefined) bail();
      const k = key as string;
      if (Object.hasOwn(out, k) || k.length > 1000) bail();
      const p = childPointer(pointer, k);
      this.keys.set(p, [line.offset, line.offset + k.length]);
      let rest = line.content.slice(k.length + 1);
      let restOffset = line.offset + k.length + 1;
      while (rest.startsWith(' ')) {
        rest = rest.slice(1);
        restOffset++;
      }
      // (A null value is placed after the spaces that follow the `:` in the raw text.)
      if (rest === '') while (this.text.charCodeAt(restOffset) === 32) restOffset++;
      this.i++;
      let value: unknown;
      if (rest === '') {
        const next = this.lines[this.i];
        if (next && (next.indent > indent || (next.indent === indent && (next.content === '-' || next.content.startsWith('- '))))) {
          value = this.node(next.indent, p);
          end = this.values.get(p)?.[1] ?? end;
        } else {
          value = null;
          this.values.set(p, [restOffset, restOffset]);
          end = restOffset;
        }
      } else {
        const [v, s, e] = this.scalar(rest, restOffset, indent);
        value = v;
        this.values.set(p, [s, e]);
        end = e;
      }
      setOwn(out, k, value);
    }
    this.values.set(pointer, [start, end]);
    return out;
  }

  private sequence(indent: number, pointer: string): unknown[] {
    const out: unknown[] = [];
    const start = this.lines[this.i]?.offset ?? 0;
    let end = start;
    for (;;) {
      const line = this.lines[this.i];
      if (!line || line.indent < indent) break;
      if (line.indent > indent) bail();
      if (!(line.content === '-' || line.content.startsWith('- '))) break;
      const p = childPointer(pointer, out.length);
      let skip = 1;
      while (line.content[skip] === ' ') skip++;
      const rest = line.content.slice(skip);
      if (rest === '') {
        this.i++;
        const next = this.lines[this.i];
        if (next && next.indent > indent) {
          out.push(this.node(next.indent, p));
          end = this.values.get(p)?.[1] ?? end;
        } else {
          out.push(null);
          this.values.set(p, [line.offset + skip, line.offset + skip]);
          end = line.offset + skip;
        }
        continue;
      }
      if (rest === '-' || rest.startsWith('- ') || keyOf(rest) !== undefined) {
        // A compact collection (`- key: value`, `- - x`): re-read the rest of the line as a line
        // of its own, indented where its content starts.
        this.lines[this.i] = { indent: line.indent + skip, content: rest, offset: line.offset + skip, afterGap: false, comment: line.comment };
        out.push(this.node(line.indent + skip, p));
        end = this.values.get(p)?.[1] ?? end;
        continue;
      }
      this.i++;
      const [v, s, e] = this.scalar(rest, line.offset + skip, indent);
      out.push(v);
      this.values.set(p, [s, e]);
      end = e;
    }
    this.values.set(pointer, [start, end]);
    return out;
  }

  /** A quoted scalar spanning lines, folded as YAML does (read from the raw text). */
  private multiLineQuoted(quote: string, offset: number, parentIndent: number): [unknown, number, number] {
    const text = this.text;
    let close = -1;
    for (let i = offset + 1; i < text.length; i++) {
      const ch = text[i];
      if (quote === '"' && ch === '\\') bail();
      if (ch === quote) {
        if (quote === "'" && text[i + 1] === "'") {
          i++;
          continue;
        }
        close = i;
        break;
      }
    }
    if (close < 0) bail();
    const parts = text.slice(offset + 1, close).split('\n');
    const lastLineStart = text.lastIndexOf('\n', close) + 1;
    const lineEnd = text.indexOf('\n', close);
    const after = text.slice(close + 1, lineEnd < 0 ? text.length : lineEnd);
    if (!/^\s*(#.*)?$/.test(after) || (after.includes('#') && !/^\s+#/.test(after))) bail();
    let result = trimSpaces(parts[0] ?? '');
    let newlines = 0;
    for (let k = 1; k < parts.length; k++) {
      const raw = parts[k] ?? '';
      const indent = raw.length - raw.trimStart().length;
      const last = k === parts.length - 1;
      const line = last ? raw.trimStart() : raw.trim();
      if (line === '') {
        if (last) bail();
        newlines++;
        continue;
      }
      if (indent <= parentIndent) bail();
      result += newlines > 0 ? '\n'.repeat(newlines) : ' ';
      result += line;
      newlines = 0;
    }
    // Skip the lines the scalar covered.
    while ((this.lines[this.i]?.offset ?? Infinity) <= close) this.i++;
    if ((this.lines[this.i - 1]?.offset ?? 0) < lastLineStart && parts.length > 1) {
      // the closing line was dropped (cannot happen for a line with a quote) — be safe
      bail();
    }
    return [quote === "'" ? result.replace(/''/g, "'") : result, offset, close + 1];
  }

  /**
   * A scalar starting in `first` (already past the indicator); a plain scalar may continue on
   * following lines indented more than `parentIndent`. Returns [value, start, end].
   */
  private scalar(first: string, offset: number, parentIndent: number): [unknown, number, number] {
    const c = first[0];
    if (c === "'" || c === '"') {
      const close = quotedEnd(first, c);
      if (close < 0) return this.multiLineQuoted(c, offset, parentIndent);
      const after = first.slice(close + 1);
      if (after.trim() !== '') bail();
      const body = first.slice(1, close);
      if (c === '"' && body.includes('\\')) bail();
      return [c === "'" ? body.replace(/''/g, "'") : body, offset, offset + close + 1];
    }
    if (FORBIDDEN_START.test(first) || first.startsWith('- ') || first === '-' || first.startsWith(': ') || first.endsWith(':') || first.includes(': ')) bail();
    let text = first;
    let end = offset + first.length;
    let commented = this.lines[this.i - 1]?.comment ?? false;
    for (;;) {
      const next = this.lines[this.i];
      if (!next || next.indent <= parentIndent) break;
      // A comment ends a plain scalar: a continuation after one is left to the full parser.
      if (commented) bail();
      commented = next.comment;
      // Continuation of a multi-line plain scalar (folded with one space). Blank lines inside it
      // were dropped by the line splitter, so refuse when one was there.
      if (next.afterGap) bail();
      if (next.content.includes(': ') || next.content.endsWith(':') || next.content.startsWith('- ') || next.content === '-') bail();
      text += ' ' + next.content;
      end = next.offset + next.content.length;
      this.i++;
    }
    return [resolvePlain(text), offset, end];
  }
}

/** The plain key of a `key: value` / `key:` line, or undefined when the line is not one. */
function keyOf(content: string): string | undefined {
  const c = content[0];
  if (c === undefined || c === "'" || c === '"' || c === '-' || c === ':' || c === '#' || FORBIDDEN_START.test(content)) {
    if (c === '-' && content[1] !== ' ' && content.length > 1) {
      // `-foo: x` is a plain key
    } else return undefined;
  }
  const colon = content.indexOf(':');
  if (colon <= 0) return undefined;
  const after = content[colon + 1];
  if (after !== undefined && after !== ' ') {
    // `a:b: c` — the first `:` is part of the key; find a `: ` or a final `:`.
    const sep = content.indexOf(': ');
    const key = sep > 0 ? content.slice(0, sep) : content.endsWith(':') ? content.slice(0, -1) : undefined;
    return key === undefined || key.endsWith(' ') || key.includes(' #') ? bail() : key;
  }
  const key = content.slice(0, colon);
  if (key.endsWith(' ') || key.includes('#') || key.includes('"') || key.includes("'")) bail();
  return key;
}

/** `s` without trailing spaces (only U+0020, like `/ +$/`). */
function trimSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * `out[k] = value` as an own data property. Plain assignment is much cheaper than
 * `Object.defineProperty`; only `__proto__` (an accessor on Object.prototype) needs the latter.
 */
export function setOwn(out: Record<string, unknown>, k: string, value: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  else out[k] = value;
}

function stripComment(content: string): string {
  const hash = content.indexOf(' #');
  if (hash < 0) return trimSpaces(content);
  // A ` #` inside quotes is not a comment: leave such lines to the full parser.
  if (content.includes("'") || content.includes('"')) {
    const q = content.search(/['"]/);
    if (q < hash) {
      const quote = content[q] as string;
      const close = quotedEnd(content.slice(q), quote);
      if (close < 0) bail();
      const h2 = content.indexOf(' #', q + close + 1);
      return trimSpaces(h2 < 0 ? content : content.slice(0, h2));
    }
  }
  return trimSpaces(content.slice(0, hash));
}

function quotedEnd(s: string, quote: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === quote) {
      if (quote === "'" && s[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

/** Core-schema resolution of a plain scalar, or bail for forms left to the full parser. */
function resolvePlain(s: string): unknown {
  switch (s) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (/^[-+]?[0-9]+$/.test(s)) return Number(s);
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
    if (/^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s) || /^0[xo]/.test(s)) bail();
  }
  return s;
}
