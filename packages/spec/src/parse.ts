import type { Diagnostic } from './diagnostics.js';
import type { Capability } from './model.js';
import { Normaliser } from './normalise.js';
import { SourceMap } from './source.js';
import { validateStrict } from './schema.js';
import { isObj } from './context.js';

export interface ParseOptions {
  /** File name or URI of the text, used in diagnostics and to resolve imports. Default `<input>`. */
  source?: string;
  /** Lenient deviations become errors and the document is validated against `capabilitySchema`. */
  strict?: boolean;
  /** Reads an imported consumes file (`location` relative to `fromSource`). Synchronous. */
  readFile?: (location: string, fromSource: string) => string;
}

export interface ParseResult {
  /** Undefined only when the text cannot be modelled at all (YAML syntax error, not a mapping). */
  capability: Capability | undefined;
  diagnostics: Diagnostic[];
}

const YAML_DUPLICATE = new Set(['DUPLICATE_KEY']);

/**
 * Parse a capability document into the normalised model plus diagnostics. Never throws.
 * Callers must refuse to run the capability when any diagnostic has severity `error`.
 */
export function parseCapability(text: string, options: ParseOptions = {}): ParseResult {
  const source = options.source ?? '<input>';
  const strict = options.strict ?? false;
  const diagnostics: Diagnostic[] = [];
  try {
    const map = new SourceMap(typeof text === 'string' ? text : String(text));
    const errors = map.issues.filter((i) => i.kind === 'error').sort((a, b) => a.start - b.start);
    // Only the first syntax error is reliable; the parser's recovery cascades into noise after it.
    const shown = [...(errors[0] ? [errors[0]] : []), ...map.issues.filter((i) => i.kind === 'warning' || YAML_DUPLICATE.has(i.code))];
    const hidden = errors.filter((e) => !shown.includes(e)).length;
    for (const issue of new Set(shown)) {
      const duplicate = YAML_DUPLICATE.has(issue.code);
      diagnostics.push({
        code: duplicate ? 'duplicate-key' : issue.kind === 'error' ? 'yaml-syntax' : 'yaml-warning',
        severity: issue.kind === 'error' ? 'error' : 'warning',
        message: duplicate
          ? `${issue.message}. Remove or rename the repeated key.`
          : `${issue.message.replace(/\s+$/, '')}.`.replace(/\.\.$/, '.') + (issue.kind === 'error' && hidden > 0 && issue === errors[0] ? ` (${hidden} more YAML error${hidden === 1 ? '' : 's'} after this one are not shown.)` : ''),
        pointer: '#',
        range: map.rangeOf(issue.start, issue.end),
        source,
      });
    }
    const fatal = map.issues.some((i) => i.kind === 'error' && !YAML_DUPLICATE.has(i.code));
    if (fatal) return { capability: undefined, diagnostics };
    if (!isObj(map.value)) {
      diagnostics.push({
        code: 'not-a-mapping',
        severity: 'error',
        message: `A capability document must be a YAML mapping with \`naftiko\`, \`info\` and \`capability\`; found ${map.hasContent ? (Array.isArray(map.value) ? 'a list' : 'a scalar') : 'an empty document'}.`,
        pointer: '#',
        range: map.range('#'),
        source,
      });
      return { capability: undefined, diagnostics };
    }
    const normaliseOptions: ConstructorParameters<typeof Normaliser>[1] = { source, strict };
    if (options.readFile) normaliseOptions.readFile = options.readFile;
    const capability = new Normaliser(map, normaliseOptions, diagnostics).run(map.value);
    if (strict) {
      for (const d of validateStrict(map.value, map, source)) {
        if (!diagnostics.some((x) => x.pointer === d.pointer && (x.code === d.code || x.severity === 'error'))) diagnostics.push(d);
      }
    }
    // An unknown key that is the near-miss of a missing required key is already an error there.
    const result = diagnostics.filter((d) => !(d.code === 'unknown-key' && diagnostics.some((x) => x.code === 'missing-key' && x.pointer === d.pointer)));
    return { capability, diagnostics: sortDiagnostics(result, source) };
  } catch (cause) {
    // Defensive: a bug must not crash callers. Report it as a diagnostic.
    diagnostics.push({
      code: 'invalid-value',
      severity: 'error',
      message: `Internal error while reading the document: ${cause instanceof Error ? cause.message : String(cause)}. Please report it.`,
      pointer: '#',
      range: { start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 0, offset: 0 } },
      source,
    });
    return { capability: undefined, diagnostics };
  }
}

/** The document's own diagnostics first (by position), then those of imported files. */
function sortDiagnostics(ds: Diagnostic[], source: string): Diagnostic[] {
  const rank = (d: Diagnostic): number => (d.source === source ? 0 : 1);
  return ds
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        rank(a.d) - rank(b.d) ||
        (a.d.source < b.d.source ? -1 : a.d.source > b.d.source ? 1 : 0) ||
        a.d.range.start.offset - b.d.range.start.offset ||
        a.i - b.i,
    )
    .map((x) => x.d);
}
