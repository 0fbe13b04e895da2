import type { SourceRange } from './model.js';

/**
 * Every diagnostic code the parser can emit (closed set, kebab-case).
 *
 * Errors (the capability cannot run), warnings (lenient deviations from the strict alpha2 schema,
 * or likely mistakes) and infos. See README.md for the meaning of each code.
 */
export const DIAGNOSTIC_CODES = [
  // YAML level
  'yaml-syntax',
  'yaml-warning',
  'duplicate-key',
  'not-a-mapping',
  // Structure
  'unsupported-version',
  'missing-key',
  'unknown-key',
  'invalid-type',
  'invalid-value',
  'schema-violation',
  // Semantics
  'unknown-adapter-type',
  'unknown-auth-type',
  'call-target-missing',
  'ref-target-missing',
  'duplicate-namespace',
  'port-clash',
  'invalid-port',
  'unknown-input-reference',
  'unresolved-reference',
  'import-unreadable',
  'import-target-missing',
  'tool-name-too-long',
  'duplicate-route',
  'duplicate-tool',
  // Lenient deviations from the official alpha2 schema (warnings; errors with `strict`)
  'base-uri-placeholder',
  'consumed-parameter-extra-key',
  'non-kebab-name',
  'name-with-colon',
  'object-output-without-properties',
  'adapter-description',
  // Normalisation notes (the official schema allows these; always warnings)
  'path-without-leading-slash',
  'base-uri-trailing-slash',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** Codes of lenient deviations: warnings by default, errors when `strict: true`. */
export const DEVIATION_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'base-uri-placeholder',
  'consumed-parameter-extra-key',
  'non-kebab-name',
  'name-with-colon',
  'object-output-without-properties',
  'adapter-description',
]);

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** JSON pointer into the document, always starting with `#` (`#/capability/exposes/0/port`). */
  pointer: string;
  /** 0-based range in the source text. */
  range: SourceRange;
  /** The `source` given to `parseCapability` (file name or URI). */
  source: string;
}

/** `FILE:LINE:COL severity code message (at #/pointer)`, 1-based line and column. */
export function formatDiagnostic(d: Diagnostic): string {
  const line = d.range.start.line + 1;
  const col = d.range.start.column + 1;
  return `${d.source}:${line}:${col} ${d.severity} ${d.code} ${d.message} (at ${d.pointer})`;
}

/** One formatted line per diagnostic, joined with `\n` (no trailing newline). */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n');
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Optimal string alignment (restricted Damerau-Levenshtein) distance. */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2: number[] = new Array<number>(m + 1).fill(0);
  let prev: number[] = Array.from({ length: m + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m] ?? 0;
}

/**
 * The closest candidate to `input`, when it is near enough to be a plausible typo
 * (distance <= max(1, floor(length / 3)), case-insensitive), else undefined.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const lower = input.toLowerCase();
  const threshold = Math.max(1, Math.min(4, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= threshold && bestDistance > 0 ? best : best !== undefined && bestDistance === 0 && best !== input ? best : undefined;
}

/** ` Did you mean \`x\`?` or the empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const c = closest(input, candidates);
  return c === undefined ? '' : ` Did you mean \`${c}\`?`;
}
