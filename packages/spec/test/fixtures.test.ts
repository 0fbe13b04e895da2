import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, parseCapability } from '../src/index.js';
import { fixtureReader, fixturesDir } from './helpers.js';


const invalidDir = path.join(fixturesDir, 'invalid');
const cases = fs.readdirSync(invalidDir).filter((d) => fs.existsSync(path.join(invalidDir, d, 'capability.yaml'))).sort();

describe('invalid fixtures: pinned diagnostics', () => {
  it.each(cases)('%s', async (name) => {
    const source = `invalid/${name}/capability.yaml`;
    const text = fs.readFileSync(path.join(fixturesDir, source), 'utf8');
    const { diagnostics } = parseCapability(text, { source, readFile: fixtureReader });
    // `unsupported-version` is a warning (an error in strict mode); every other case has an error.
    expect(hasErrors(diagnostics)).toBe(name !== 'wrong-version');
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const d of diagnostics) {
      expect(d.range.start.offset).toBeLessThanOrEqual(d.range.end.offset);
      expect(d.range.end.offset).toBeLessThanOrEqual(text.length);
    }
    await expect(formatDiagnostics(diagnostics) + '\n').toMatchFileSnapshot(path.join(invalidDir, name, 'expected.txt'));
  });
});

describe('a diagnostic points at the offending key or value', () => {
  const load = (name: string) => {
    const source = `invalid/${name}/capability.yaml`;
    const text = fs.readFileSync(path.join(fixturesDir, source), 'utf8');
    return { text, ...parseCapability(text, { source, readFile: fixtureReader }) };
  };
  const at = (text: string, offset: number, length: number) => text.slice(offset, offset + length);

  it('unknown key: the key itself, with a suggestion', () => {
    const { text, diagnostics } = load('unknown-key-suggestion');
    const missing = diagnostics.find((x) => x.code === 'missing-key')!;
    expect(missing.message).toContain('Did you mean `baseUri`?');
    expect(at(text, missing.range.start.offset, 7)).toBe('baseURI');
    const d = diagnostics.find((x) => x.code === 'unknown-key')!;
    expect(at(text, d.range.start.offset, d.range.end.offset - d.range.start.offset)).toBe('authentcation');
    expect(d.message).toContain('Did you mean `authentication`?');
    expect(d.pointer).toBe('#/capability/consumes/0/authentcation');
  });

  it('wrong version: a warning, an error in strict mode', () => {
    const { diagnostics } = load('wrong-version');
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.pointer}`)).toEqual(['warning unsupported-version #/naftiko']);
    const text = fs.readFileSync(path.join(invalidDir, 'wrong-version/capability.yaml'), 'utf8');
    const strict = parseCapability(text, { strict: true });
    expect(strict.diagnostics.some((d) => d.severity === 'error' && d.pointer === '#/naftiko')).toBe(true);
  });

  it('port clash: the second port value', () => {
    const { text, diagnostics } = load('port-clash');
    const d = diagnostics.find((x) => x.code === 'port-clash')!;
    expect(d.pointer).toBe('#/capability/exposes/1/port');
    expect(text.split('\n')[d.range.start.line]).toBe('    port: 8080');
    expect(d.range.start.column).toBe(10);
  });

  it('missing call target: suggests the nearest operation', () => {
    const { diagnostics } = load('missing-call-target');
    const d = diagnostics.find((x) => x.code === 'call-target-missing')!;
    expect(d.message).toContain('Did you mean `shop.get-order`?');
    expect(d.severity).toBe('error');
  });

  it('import unreadable without a reader', () => {
    const text = fs.readFileSync(path.join(invalidDir, 'import-unreadable/capability.yaml'), 'utf8');
    const { diagnostics } = parseCapability(text, { source: 'x.yaml' });
    expect(diagnostics.map((d) => d.code)).toContain('import-unreadable');
  });
});
