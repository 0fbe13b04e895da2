import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParse } from '../src/fast-yaml.js';
import { SourceMap } from '../src/source.js';
import { corpusDir, corpusFiles, fixturesDir, hasShared, read } from './helpers.js';
import fs from 'node:fs';

/** The fast reader either bails or agrees with the full `yaml` parser on values and positions. */
function agree(text: string): 'fast' | 'bail' {
  const fast = fastParse(text);
  if (!fast) return 'bail';
  const full = new SourceMap(text, { fast: false });
  expect(full.issues.filter((i) => i.kind === 'error'), 'fast reader accepted text the full parser rejects').toEqual([]);
  expect(fast.value).toEqual(full.value);
  // Compare positions in plain code (thousands per file), then assert once.
  const ranges = full.ranges();
  const mismatches: string[] = [];
  if (fast.keys.size !== ranges.keys.size) mismatches.push(`key count ${fast.keys.size} != ${ranges.keys.size}`);
  for (const [p, r] of fast.keys) {
    const o = ranges.keys.get(p);
    if (!o || o[0] !== r[0] || o[1] !== r[1]) mismatches.push(`key ${p}: ${String(r)} != ${String(o)}`);
  }
  for (const [p, r] of fast.values) {
    const o = ranges.values.get(p);
    if (!o || o[0] !== r[0]) mismatches.push(`value ${p}: ${String(r)} != ${String(o)}`);
  }
  expect(mismatches).toEqual([]);
  return 'fast';
}

const fixtureTexts = ['valid/full/capability.yaml', 'valid/shared/consumes.yaml', ...fs.readdirSync(path.join(fixturesDir, 'invalid')).map((d) => `invalid/${d}/capability.yaml`)]
  .filter((f) => fs.existsSync(path.join(fixturesDir, f)))
  .map((f) => read(path.join(fixturesDir, f)));

describe('fast YAML reader', () => {
  it.skipIf(!hasShared).each(corpusFiles())('reads corpus %s exactly like the full parser', (f) => {
    expect(agree(read(path.join(corpusDir, f)))).toBe('fast');
  });

  it('agrees with the full parser on the fixtures (or bails)', () => {
    for (const t of fixtureTexts) agree(t);
  });

  it('keeps `__proto__` and other prototype names as own keys, and trailing spaces out of values', () => {
    const text = 'a:\n  __proto__: x   \n  constructor: 1\n  toString: y # c  \nb: z  \n';
    expect(agree(text)).toBe('fast');
    const a = (fastParse(text)?.value as { a: Record<string, unknown> }).a;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.keys(a)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(a, '__proto__')?.value).toBe('x');
    expect([a['constructor'], a['toString']]).toEqual([1, 'y']);
  });

  it('handles the block subset and bails on the rest', () => {
    expect(agree('a: 1\nb:\n- x\n- y: 2\n  z: [1]\n')).toBe('bail');
    expect(agree("a: 'it''s'\nb: \"q\"\nc: -5\nd: 1.5e3\ne: ~\nf: true\ng:\nh: x # comment\n")).toBe('fast');
    expect(agree('a:\n  - - x\n    - y\n  -\n  - k: v\n    l:\n      m: n\n')).toBe('fast');
    expect(agree('text: one\n  two\n  three\nnext: 1\n')).toBe('fast');
    expect(agree("a: 'x\n  y\n\n  z '' w'\nb: 1\n")).toBe('fast');
    expect(agree('a: one # c\n  two\nb: 1\n')).toBe('bail');
    expect(agree('a: one\n  two # c\n  three\n')).toBe('bail');
    expect(agree('a: one\n  two # c\nb: 1\n')).toBe('fast');
    agree("- 'one #\n  two' # c\n- x\n"); // may bail (a ` #` inside an open quote): either is fine
    expect(agree("a: 'x\n  y\n\n  z '' w'\nb: 1\n")).toBe('fast');
    expect(agree('a: one # c\n  two\nb: 1\n')).toBe('bail');
    expect(agree('a: one\n  two # c\n  three\n')).toBe('bail');
    expect(agree('a: one\n  two # c\nb: 1\n')).toBe('fast');
    for (const t of ['a: &x 1\nb: *x\n', 'a: |\n  x\n', 'a: !!str 1\n', '---\na: 1\n', 'a: b: c\n', 'a: 1\na: 2\n', 'a: x\n\n  y\n', 'x\n', 'a: 0x1F\n', 'a: "\\n"\n', '? a\n: b\n', 'a:\tb\n']) {
      expect(agree(t), t).toBe('bail');
    }
  });

  it('agrees with the full parser on random block documents and mutations', () => {
    let fast = 0;
    let runs = 0;
    const bases = [fixtureTexts[0] as string, ...corpusFiles().filter((_, i) => i % 45 === 0).map((f) => read(path.join(corpusDir, f)))];
    fc.assert(
      fc.property(
        fc.nat({ max: bases.length - 1 }),
        fc.array(
          fc.record({
            line: fc.nat(),
            op: fc.constantFrom('del', 'dup', 'indent', 'dedent', 'insert'),
            text: fc.constantFrom('x: 1', '- y', 'z:', '  - w: "q"', "k: 'a''b'", 'n: -1.5', 'm: a # c', '# c', '', 'p: a:b', 'q: x y', '-', 'r: {', 's: #', 't: 1e5', 'u: .5', 'v: +3', 'a: null', 'b: True', 'c: FALSE', 'd: -', 'e: "a#b"', "f: 'a #b'", 'g: a #b', "h: 'multi", "  line'", '  # inside', "  'x' y", '"open', '  cont # c', '  more', "  description: 'a", "    b'", "    c''d'"),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (bi, ops) => {
          const ls = (bases[bi] as string).split('\n');
          for (const o of ops) {
            const i = o.line % ls.length;
            if (o.op === 'del') ls.splice(i, 1);
            else if (o.op === 'dup') ls.splice(i, 0, ls[i] ?? '');
            else if (o.op === 'indent') ls[i] = '  ' + (ls[i] ?? '');
            else if (o.op === 'dedent') ls[i] = (ls[i] ?? '').replace(/^ {1,2}/, '');
            else ls.splice(i, 0, ' '.repeat(/^ */.exec(ls[i] ?? '')?.[0].length ?? 0) + o.text);
          }
          runs++;
          if (agree(ls.join('\n')) === 'fast') fast++;
        },
      ),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 300), seed: process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : 11 },
    );
    // The comparison only means something if the fast reader accepts a good share of the inputs.
    expect(fast / runs).toBeGreaterThan(0.1);
  });
});
