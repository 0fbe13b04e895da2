import fs from 'node:fs';
import path from 'node:path';
import _Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { capabilitySchema, hasErrors, parseCapability } from '../src/index.js';
import { corpusDir, corpusFiles, fixtureReader, fixturesDir, hasShared, officialSchemaFile, read } from './helpers.js';

const Ajv2020 = ((_Ajv2020 as unknown as { default?: unknown }).default ?? _Ajv2020) as typeof _Ajv2020.default;
const ajv = () => new Ajv2020({ allErrors: false, strict: false, validateFormats: false });
const ours = ajv().compile(capabilitySchema);
const official = hasShared ? ajv().compile(JSON.parse(read(officialSchemaFile)) as object) : undefined;

/** Fixtures whose only errors are semantic (not expressible in JSON Schema): strict mode rejects them, the schema does not. */
const SEMANTIC_ONLY = new Set([
  'duplicate-namespace',
  'port-clash',
  'missing-call-target',
  'ref-target-missing',
  'import-unreadable',
  'import-target-missing',
  'tool-name-too-long',
  'duplicate-key',
]);

function fixtureDocs(): Array<{ name: string; source: string; text: string }> {
  const out: Array<{ name: string; source: string; text: string }> = [];
  for (const kind of ['valid', 'invalid', 'lenient']) {
    for (const name of fs.readdirSync(path.join(fixturesDir, kind)).sort()) {
      const source = `${kind}/${name}/capability.yaml`;
      const file = path.join(fixturesDir, source);
      if (fs.existsSync(file)) out.push({ name, source, text: fs.readFileSync(file, 'utf8') });
    }
  }
  return out;
}

describe.skipIf(!hasShared)('strict mode agrees with the official alpha2 schema', () => {
  it.each(corpusFiles())('corpus %s: invalid for both', (file) => {
    const text = read(path.join(corpusDir, file));
    const doc = parseYaml(text) as unknown;
    expect(official!(doc)).toBe(false);
    expect(ours(doc)).toBe(false);
    expect(hasErrors(parseCapability(text, { source: file, strict: true }).diagnostics)).toBe(true);
  });

  it.each(fixtureDocs().map((f) => [f.source, f] as const))('fixture %s', (_source, f) => {
    const { capability, diagnostics } = parseCapability(f.text, { source: f.source, strict: true, readFile: fixtureReader });
    if (!capability) {
      // Not even YAML / not a mapping: strict mode rejects it.
      expect(hasErrors(diagnostics)).toBe(true);
      return;
    }
    const officialValid = official!(capability.document);
    expect(ours(capability.document)).toBe(officialValid);
    if (SEMANTIC_ONLY.has(f.name)) {
      expect(officialValid).toBe(true);
      expect(hasErrors(diagnostics)).toBe(true);
    } else {
      expect(hasErrors(diagnostics)).toBe(!officialValid);
    }
  });

  it('agrees on random mutations of the valid fixture and of corpus documents made valid', () => {
    const base = parseYaml(fs.readFileSync(path.join(fixturesDir, 'valid/full/capability.yaml'), 'utf8')) as unknown;
    expect(official!(base)).toBe(true);
    // Collect every path in the document.
    const paths: Array<Array<string | number>> = [];
    const walk = (v: unknown, p: Array<string | number>): void => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    const replacements: unknown[] = ['x', 'GET', 'http', 'stdio', 42, 0, 70000, true, null, [], {}, ['a'], { type: 'json' }, 'file:///x', '1.0.0-alpha3', 'a.b'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: paths.length - 1 }),
        fc.constantFrom('delete', 'replace', 'add-key'),
        fc.integer({ min: 0, max: replacements.length - 1 }),
        (pi, op, ri) => {
          const doc = structuredClone(base) as Record<string | number, unknown>;
          const p = paths[pi]!;
          let parent: any = doc;
          for (const seg of p.slice(0, -1)) parent = parent[seg];
          const last = p[p.length - 1]!;
          if (op === 'delete') {
            if (Array.isArray(parent)) parent.splice(last as number, 1);
            else delete parent[last];
          } else if (op === 'replace') parent[last] = structuredClone(replacements[ri]);
          else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) parent[last]['extraKey'] = 'x';
          else return;
          expect(ours(doc), `${op} at /${p.join('/')} (${JSON.stringify(replacements[ri])})`).toBe(official!(doc));
        },
      ),
      { numRuns: 400, seed: 20260526 },
    );
  });
});
