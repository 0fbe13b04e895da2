import { existsSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const fixtures = path.join(here, 'fixtures');
const shared = path.resolve(root, '../shared');
const hasShared = existsSync(path.join(shared, 'corpus/bigcommerce'));
if (!hasShared) console.warn(`${shared} not found: corpus validate tests skipped`);

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('naftiko-ts validate', () => {
  it('a good file exits 0 with a summary on stderr', async () => {
    const r = await run(['validate', path.join(fixtures, 'good/minimal.yaml')]);
    expect(r.stderr).toMatch(/^1 file\(s\) checked: 0 error\(s\) in 0 file\(s\), \d+ warning\(s\)\n$/);
    expect(r.code).toBe(0);
  });

  it.each([
    ['yaml-syntax.yaml', 'yaml-syntax', 6],
    ['unknown-auth.yaml', 'unknown-auth-type', 8],
    ['missing-call-target.yaml', 'call-target-missing', 21],
  ])('%s exits 1 with file:line:col of the offending key', async (name, code, line) => {
    const file = path.join(fixtures, 'broken', name);
    const r = await run(['validate', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const hit = lines.find((l) => l.includes(` error ${code} `));
    expect(hit, r.stdout).toBeDefined();
    expect(hit).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+ error ${code} .+ \\(at #[^)]*\\)$`));
    expect(r.stderr).toMatch(/1 file\(s\) checked: [1-9]\d* error\(s\) in 1 file\(s\)/);
  });

  it('imported consumes are read relative to the capability file, whatever the working directory', async () => {
    const r = await run(['validate', path.join(fixtures, 'imports')]);
    expect(r.stdout).not.toContain('error');
    expect(r.stderr).toMatch(/^1 file\(s\) checked: 0 error\(s\)/); // the fragment in a sub-directory is not a capability
    expect(r.code).toBe(0);
  });

  it('a directory contributes its *.yaml files; JSON output is an array with the file of each diagnostic', async () => {
    const r = await run(['validate', '--format', 'json', path.join(fixtures, 'broken')]);
    expect(r.code).toBe(1);
    const diagnostics = JSON.parse(r.stdout) as Array<{ file: string; code: string; severity: string; range: unknown }>;
    const files = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => path.basename(d.file)));
    expect([...files].sort()).toEqual(['missing-call-target.yaml', 'unknown-auth.yaml', 'yaml-syntax.yaml']);
    expect(r.stderr).toMatch(/^3 file\(s\) checked: \d+ error\(s\) in 3 file\(s\)/);
  });

  it('bad usage exits 2: no path, missing path, unknown flag, unknown command', async () => {
    expect((await run(['validate'])).code).toBe(2);
    const missing = await run(['validate', path.join(fixtures, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: no such file or directory');
    const empty = await run(['validate', here]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no *.yaml or *.yml files in this directory');
    expect((await run(['validate', '--frobnicate', 'x'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
  });

  it('--strict turns lenient deviations of the embedded seed into errors', async () => {
    const seed = path.join(root, 'apps/server/capabilities/storefront-token-customer-impersonation-token.yaml');
    expect((await run(['validate', seed])).code).toBe(0);
    const strict = await run(['validate', '--strict', seed]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('base-uri-placeholder');
  });

  it.skipIf(!hasShared)('the whole BigCommerce corpus exits 0 (warnings allowed)', async () => {
    const r = await run(['validate', path.join(shared, 'corpus/bigcommerce')]);
    expect(r.stderr).toMatch(/^179 file\(s\) checked: 0 error\(s\) in 0 file\(s\), [1-9]\d* warning\(s\)/);
    expect(r.code).toBe(0);
  });
});
