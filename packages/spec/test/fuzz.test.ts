import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, formatDiagnostics, parseCapability } from '../src/index.js';
import { corpusDir, corpusFiles, fixturesDir, hasShared, read } from './helpers.js';

const validFixture = read(path.join(fixturesDir, 'valid/full/capability.yaml'));
const samples = [validFixture, ...(hasShared ? corpusFiles().filter((_, i) => i % 60 === 0).map((f) => read(path.join(corpusDir, f))) : [])];
if (!hasShared) console.warn('fuzzing the valid fixture only (../shared not found)');

type Mutation =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'swap'; line: number; other: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'indent'; line: number; delta: number }
  | { kind: 'key'; line: number; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('{', '}', '[', ':', '- ', '&a ', '*a', '!!binary ', '"', "'", '\t', '\n', '{{', '}}', '#', '|', '>')) }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('key' as const), line: fc.nat(), key: fc.constantFrom('port: 0', 'type: soap', 'call: a.b', 'namespace: env', 'with: 3', 'authentication: {type: x}', 'naftiko: 9', '__proto__: {}', 'constructor: 1', 'ref: x.y', 'resources: null', 'in: nowhere') }),
);

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const n = lines.length;
  switch (m.kind) {
    case 'delete':
      lines.splice(m.line % n, 1);
      break;
    case 'duplicate':
      lines.splice(m.line % n, 0, lines[m.line % n] ?? '');
      break;
    case 'swap': {
      const a = m.line % n;
      const b = m.other % n;
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      break;
    }
    case 'insert': {
      const joined = lines.join('\n');
      const at = m.at % (joined.length + 1);
      return joined.slice(0, at) + m.text + joined.slice(at);
    }
    case 'indent': {
      const i = m.line % n;
      const l = lines[i] ?? '';
      lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + l : l.replace(new RegExp(`^ {0,${-m.delta}}`), '');
      break;
    }
    case 'key': {
      const i = m.line % n;
      const indent = /^\s*(- )?/.exec(lines[i] ?? '')?.[0].replace('- ', '  ') ?? '';
      lines.splice(i, 0, indent + m.key);
      break;
    }
  }
  return lines.join('\n');
}

const codes = new Set<string>(DIAGNOSTIC_CODES);

describe('fuzzing parseCapability with mutated documents', () => {
  it('never throws; every diagnostic has a valid range, pointer and code', () => {
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (si, ms, strict) => {
        const text = ms.reduce(apply, samples[si]!);
        const { capability, diagnostics } = parseCapability(text, { source: 'fuzz.yaml', strict, readFile: () => 'consumes: [' });
        for (const d of diagnostics) {
          expect(codes.has(d.code), d.code).toBe(true);
          expect(d.pointer.startsWith('#')).toBe(true);
          expect(d.range.start.offset).toBeGreaterThanOrEqual(0);
          expect(d.range.start.offset).toBeLessThanOrEqual(d.range.end.offset);
          expect(d.range.end.offset).toBeLessThanOrEqual(text.length);
          expect(d.range.start.line).toBeGreaterThanOrEqual(0);
          expect(d.range.start.column).toBeGreaterThanOrEqual(0);
          if (d.source === 'fuzz.yaml') {
            // line/column agree with the offset
            const before = text.slice(0, d.range.start.offset).split('\n');
            expect(d.range.start.line).toBe(before.length - 1);
          }
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.message).not.toContain('Internal error');
        }
        if (capability === undefined) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
        expect(typeof formatDiagnostics(diagnostics)).toBe('string');
      }),
      { numRuns: 120, seed: 42 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { diagnostics } = parseCapability(text);
        for (const d of diagnostics) expect(d.range.end.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('survives alias bombs and self-references quickly', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const r = parseCapability(bomb);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    const self = parseCapability('naftiko: &x\n  capability: *x\n');
    expect(self.diagnostics.length).toBeGreaterThan(0);
  });
});
