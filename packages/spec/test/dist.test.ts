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

  it('loads yaml only when the fast reader bails, and ajv only for strict validation', () => {
    // A fresh process: which CommonJS modules did each kind of parse load?
    const script = `
      import { createRequire } from 'node:module';
      const { parseCapability } = await import(${JSON.stringify(distIndex)});
      const cache = createRequire(import.meta.url).cache;
      const loaded = (name) => Object.keys(cache).some((k) => k.includes('/node_modules/' + name + '/'));
      const out = {};
      parseCapability('naftiko: 1.0.0-alpha2\\ncapability:\\n  exposes:\\n    - type: rest\\n');
      out.plain = [loaded('yaml'), loaded('ajv')];
      parseCapability('naftiko: 1.0.0-alpha2\\ncapability: {exposes: []}\\n');
      out.flow = [loaded('yaml'), loaded('ajv')];
      parseCapability('naftiko: 1.0.0-alpha2\\ncapability:\\n  exposes:\\n    - type: rest\\n', { strict: true });
      out.strict = [loaded('yaml'), loaded('ajv')];
      process.stdout.write(JSON.stringify(out));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, boolean[]>;
    expect(out).toEqual({ plain: [false, false], flow: [true, false], strict: [true, true] });
  });
});
