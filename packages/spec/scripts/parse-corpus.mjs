#!/usr/bin/env node
// Measures how long parseCapability takes on the whole BigCommerce corpus.
// Usage: node packages/spec/scripts/parse-corpus.mjs [DIR] [--strict] [--rounds N]
// Run `pnpm --filter @naftiko-ts/spec build` first. Prints wall-clock and CPU time per round
// (CPU time is the fairer figure on a shared machine).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapability, hasErrors } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds') ?? path.resolve(here, '../../../../shared/corpus/bigcommerce');

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const texts = files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
const bytes = texts.reduce((n, [, t]) => n + t.length, 0);

const results = [];
for (let round = 1; round <= rounds; round++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let errors = 0;
  let diagnostics = 0;
  for (const [f, t] of texts) {
    const r = parseCapability(t, { source: f, strict });
    diagnostics += r.diagnostics.length;
    if (hasErrors(r.diagnostics)) errors++;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  results.push({ wall, cpuMs });
  process.stdout.write(
    `round ${round}: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, wall ${wall.toFixed(0)} ms, cpu ${cpuMs.toFixed(0)} ms, ` +
      `${diagnostics} diagnostics, ${errors} files with errors${strict ? ' (strict)' : ''}\n`,
  );
}
const best = results.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
process.stdout.write(`best: wall ${best.wall.toFixed(0)} ms, cpu ${best.cpuMs.toFixed(0)} ms (first round includes JIT warm-up)\n`);
