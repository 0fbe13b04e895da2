import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as src from '../src/index.js';
import { packageRoot } from './helpers.js';

// The package is consumed through `dist/` (package `exports`); check the build matches the source.
// `pnpm test` builds first; run `pnpm --filter @naftiko-ts/spec build` before running this alone.
const distIndex = path.join(packageRoot, 'dist/index.js');

describe('built package', () => {
  it('dist exports the same names as src and its types entry exists', async () => {
    expect(fs.existsSync(distIndex), 'dist/index.js missing: run `pnpm --filter @naftiko-ts/spec build`').toBe(true);
    const dist = (await import(distIndex)) as Record<string, unknown>;
    expect(Object.keys(dist).sort()).toEqual(Object.keys(src).sort());
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }> };
    expect(Object.keys(pkg.exports['.'] ?? {})[0]).toBe('types');
    expect(fs.existsSync(path.join(packageRoot, pkg.exports['.']?.types ?? ''))).toBe(true);
    const parse = dist['parseCapability'] as typeof src.parseCapability;
    expect(parse('naftiko: 1.0.0-alpha2\ncapability:\n  exposes: []\n').capability?.version).toBe('1.0.0-alpha2');
  });

  it('stays a pure leaf: no Node built-ins, no fs or network in the built code', () => {
    const files = fs.readdirSync(path.join(packageRoot, 'dist')).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const code = fs.readFileSync(path.join(packageRoot, 'dist', file), 'utf8');
      const imports = [...code.matchAll(/(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
      const offending = imports.filter((name) => name.startsWith('node:') || ['fs', 'path', 'http', 'https', 'net', 'module', 'child_process'].includes(name));
      expect(offending, `${file} imports ${offending.join(', ')}`).toEqual([]);
      expect(code, file).not.toMatch(/\b(?:fetch|require)\(/);
    }
  });
});
