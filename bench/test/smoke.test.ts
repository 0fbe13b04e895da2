// Runs `bench/src/run.mjs --smoke` for real (fresh processes, real HTTP on loopback) and checks that
// the harness produced a report with numbers and no failures. The full bench stays out of `pnpm test`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'naftiko-bench-smoke-'));

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
});

describe('pnpm bench --smoke', () => {
  it('measures every available target, checks every response and writes the report', { timeout: 120_000 }, async () => {
    const { stdout, stderr } = await run(process.execPath, [path.join(benchDir, 'src/run.mjs'), '--smoke', '--out', out], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`bench --smoke failed: ${err.message}\n${err.stderr ?? ''}\n${err.stdout ?? ''}`);
    });
    expect(stdout).toContain('| target | req/s |');

    const report = JSON.parse(fs.readFileSync(path.join(out, 'latest.json'), 'utf8'));
    expect(fs.readFileSync(path.join(out, 'latest.md'), 'utf8')).toContain('| passthrough |');
    expect(report.meta.smoke).toBe(true);

    const targets = report.targets as Record<string, { status: string; rps?: number; p50?: number; p99?: number; rssPeak?: number; failures?: string[]; reason?: string }>;
    const failed = Object.entries(targets).filter(([, t]) => t.status === 'failed');
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    // The reference points have no dependency on the engine: they must always produce numbers.
    for (const name of ['upstream', 'passthrough', 'sdk']) {
      const t = targets[name]!;
      expect(t.status, `${name}: ${stderr}`).toBe('ok');
      expect(t.rps).toBeGreaterThan(0);
      expect(t.p99).toBeGreaterThan(0);
      expect(t.p99).toBeGreaterThanOrEqual(t.p50!);
      expect(t.rssPeak).toBeGreaterThan(10 * 1024 * 1024);
    }
    // Engine targets: measured when their packages are built, otherwise skipped with a reason.
    for (const name of ['rest', 'mcp']) {
      const t = targets[name]!;
      if (t.status === 'skipped') {
        console.warn(`bench smoke: ${name} skipped (${t.reason})`);
        continue;
      }
      expect(t.status).toBe('ok');
      expect(t.rps).toBeGreaterThan(0);
    }
    // No verdicts in smoke mode, ratios still computed.
    expect(report.verdicts.every((v: { pass: unknown }) => v.pass === null)).toBe(true);
    expect(targets.passthrough!).toMatchObject({ ratio: { rps: 1, p99: 1 } });
    if (report.coldStart && report.coldStart.samples.length) {
      expect(report.coldStart.failed).toBeUndefined();
      expect(report.coldStart.median).toBeGreaterThan(0);
    }
  });
});
