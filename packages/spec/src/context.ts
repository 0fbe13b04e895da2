import { DEVIATION_CODES, closest, didYouMean } from './diagnostics.js';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
import type { SourceMap } from './source.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

interface Deferred {
  code: DiagnosticCode;
  message: string;
  pointer: string;
  atKey: boolean;
}

/** Collects diagnostics for one source text. */
export class Reporter {
  private readonly seen = new Set<string>();
  constructor(
    readonly map: SourceMap,
    readonly source: string,
    readonly strict: boolean,
    readonly diagnostics: Diagnostic[],
  ) {}

  private readonly deferred: Deferred[] = [];

  report(code: DiagnosticCode, severity: Severity, message: string, pointer: string, atKey = false): void {
    if (!this.strict && DEVIATION_CODES.has(code)) {
      this.deferred.push({ code, message, pointer, atKey });
      return;
    }
    this.emit(code, severity, message, pointer, atKey);
  }

  /**
   * Emit the lenient deviations collected so far: one warning per deviation kind per consumes
   * block / adapter (the first place, with a count), so that real-world files are not flooded
   * with identical text. In strict mode every place is an error of its own.
   */
  flush(): void {
    const groups = new Map<string, { first: Deferred; count: number; block: string }>();
    for (const d of this.deferred) {
      const m = /^#(?:\/capability)?\/(consumes|exposes)\/\d+/.exec(d.pointer);
      const block = m ? (m[1] === 'consumes' ? 'consumes block' : 'adapter') : '';
      const key = `${d.code}\u0000${m ? m[0] : d.pointer}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { first: d, count: 1, block });
    }
    this.deferred.length = 0;
    for (const { first, count, block } of groups.values()) {
      const more = count > 1 ? ` (${count} places in this ${block}; the first is shown, strict mode lists each.)` : '';
      this.emit(first.code, 'warning', first.message + more, first.pointer, first.atKey);
    }
  }

  private emit(code: DiagnosticCode, severity: Severity, message: string, pointer: string, atKey: boolean): void {
    const sev: Severity = this.strict && DEVIATION_CODES.has(code) ? 'error' : severity;
    const id = `${code}\u0000${pointer}\u0000${message}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.diagnostics.push({ code, severity: sev, message, pointer, range: this.map.range(pointer, atKey), source: this.source });
  }

  /** Has a diagnostic with this code been reported at this pointer? */
  has(code: DiagnosticCode, pointer: string): boolean {
    return this.diagnostics.some((d) => d.code === code && d.pointer === pointer);
  }

  // ---- typed readers ------------------------------------------------------------------

  object(v: unknown, pointer: string, what: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (isObj(v)) return v;
    this.report('invalid-type', 'error', `${what} must be a mapping, found ${describeType(v)}.`, pointer);
    return undefined;
  }

  array(v: unknown, pointer: string, key: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.report('invalid-type', 'error', `\`${key}\` must be a list, found ${describeType(v)}. Write each entry on its own \`- \` line.`, pointer);
    return [];
  }

  string(obj: Obj, key: string, pointer: string, opts: { required?: boolean; severity?: Severity; what?: string } = {}): string | undefined {
    const p = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const v = obj[key];
    if (v === undefined || v === null) {
      if (opts.required) {
        const near = closest(key, Object.keys(obj));
        if (near !== undefined && near !== key) {
          const np = `${pointer}/${near.replace(/~/g, '~0').replace(/\//g, '~1')}`;
          this.report('missing-key', opts.severity ?? 'error', `${opts.what ?? 'This entry'} needs \`${key}\`; found \`${near}\`. Did you mean \`${key}\`?`, np, true);
        } else {
          this.report('missing-key', opts.severity ?? 'error', `${opts.what ?? 'This entry'} needs \`${key}\`. Add \`${key}: …\`.`, pointer, true);
        }
      }
      return undefined;
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') {
      this.report('invalid-type', 'warning', `\`${key}\` should be a string, found ${describeType(v)}. Quote the value.`, p);
      return String(v);
    }
    this.report('invalid-type', 'error', `\`${key}\` must be a string, found ${describeType(v)}.`, p);
    return undefined;
  }

  boolean(obj: Obj, key: string, pointer: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    const p = `${pointer}/${key}`;
    if (v === 'true' || v === 'false') {
      this.report('invalid-type', 'warning', `\`${key}\` should be a boolean, found a string. Write ${v} without quotes.`, p);
      return v === 'true';
    }
    this.report('invalid-type', 'error', `\`${key}\` must be \`true\` or \`false\`, found ${describeType(v)}.`, p);
    return undefined;
  }

  /**
   * Report unknown keys (warning, with a suggestion) and lenient extra keys (one deviation
   * diagnostic per location, naming every extra key).
   */
  keys(obj: Obj, pointer: string, what: string, allowed: readonly string[], lenient: Partial<Record<string, [DiagnosticCode, string]>> = {}): void {
    const grouped = new Map<DiagnosticCode, { keys: string[]; why: string; first: string }>();
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const p = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const dev = Object.hasOwn(lenient, key) ? lenient[key] : undefined;
      if (dev && this.strict) {
        this.report(dev[0], 'error', `\`${key}\` is not part of ${what} in the alpha2 schema${dev[1]}`, p, true);
        continue;
      }
      if (dev) {
        const g = grouped.get(dev[0]) ?? { keys: [], why: dev[1], first: p };
        g.keys.push(key);
        grouped.set(dev[0], g);
        continue;
      }
      this.report(
        'unknown-key',
        'warning',
        `Property \`${key}\` is not expected in ${what}.${didYouMean(key, allowed)}${didYouMean(key, allowed) ? '' : ` Expected one of ${allowed.map((k) => `\`${k}\``).join(', ')}.`}`,
        p,
        true,
      );
    }
    for (const [code, g] of grouped) {
      const list = g.keys.map((k) => `\`${k}\``);
      const names = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
      this.report(code, 'warning', `${names} ${g.keys.length === 1 ? 'is' : 'are'} not part of ${what} in the alpha2 schema${g.why}`, g.first, true);
    }
  }
}
