import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(pkg, 'bin/bigcommerce-emulator.mjs');
const built = existsSync(path.join(pkg, 'dist/index.js'));
if (!built) console.warn('bigcommerce-emulator dist/ not built: bin test skipped (run pnpm build)');

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return { child, out: () => stdout, err: () => stderr };
}

describe.skipIf(!built)('bigcommerce-emulator bin', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints its URL and the dev credentials, serves, and exits 0 on %s', async (signal) => {
    const { child, out, err } = run(['--port', '0', '--host', '127.0.0.1']);
    const exited = once(child, 'exit');
    const died = exited.then(([code]) => {
      throw new Error(`bin exited early (${String(code)}): ${err()}`);
    });
    died.catch(() => {});
    let url: string | undefined;
    while (!url) {
      await Promise.race([once(child.stdout, 'data'), died]);
      url = /BigCommerce emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out())?.[1];
    }
    expect(out()).toContain('dev-store');
    expect(out()).toContain('dev-token');
    const res = await request(`${url}/stores/dev-store/v3/storefront/api-token-customer-impersonation`, {
      method: 'POST',
      headers: { 'x-auth-token': 'dev-token', 'content-type': 'application/json' },
      body: JSON.stringify({ channel_ids: [1], expires_at: 2147483647 }),
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { data: { token: string } }).data.token).toMatch(/^eyJ/);
    child.kill(signal);
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [['--port', 'abc'], ['--bogus']]) {
      const { child, err } = run(args);
      const [code] = await once(child, 'exit');
      expect(code, args.join(' ')).toBe(2);
      expect(err()).toContain('Usage: bigcommerce-emulator');
    }
  });
});
