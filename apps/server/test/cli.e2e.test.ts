/** The real binary for the one-shot commands, and the self-verifying example. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bin, fixtures, root } from './helpers.js';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('naftiko-ts binary', { timeout: 120_000 }, () => {
  it('openapi (no file: the embedded seed) prints an OpenAPI 3.1 JSON document on stdout', async () => {
    const r = await cli(['openapi']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { openapi: string; info: { title: string }; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBeTruthy();
    expect(Object.keys(doc.paths)).toContain('/v1/storefront/api-token-customer-impersonation');
    expect(doc.paths['/v1/storefront/api-token-customer-impersonation']).toHaveProperty('post');
  });

  it('openapi of a broken file exits 1 with its diagnostics on stderr, nothing on stdout', async () => {
    const file = path.join(fixtures, 'broken/unknown-auth.yaml');
    const r = await cli(['openapi', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown-auth\.yaml:8:\d+ error unknown-auth-type/);
  });

  it('validate exit codes through the binary: 1 for a broken file, 2 for bad usage', async () => {
    const broken = await cli(['validate', path.join(fixtures, 'broken/missing-call-target.yaml')]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/missing-call-target\.yaml:21:\d+ error call-target-missing .*Did you mean `api\.list`\?/);
    expect((await cli(['validate', '--format', 'yaml', 'x'])).code).toBe(2);
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('examples/mint-and-use-token/run.mjs mints a token over MCP and uses it on GraphQL (exit 0)', async () => {
    const { stderr } = await run(process.execPath, [path.join(root, 'examples/mint-and-use-token/run.mjs')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(stderr).toContain('GraphQL as customer 1: Ada Lovelace');
    expect(stderr.trim().split('\n').at(-1)).toBe('ok');
  });
});
