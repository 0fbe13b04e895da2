#!/usr/bin/env node
// Summarise a V8 CPU profile (`node --cpu-prof`, or `pnpm bench --profile`): the functions with the
// most self time, and self time per package, so a missed target can be traced to its cause.
//
//   node bench/src/profile-top.mjs <file.cpuprofile> [--top N]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

export function summariseProfile(profile, top = 25) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // timeDeltas[i] is the time before samples[i]; attribute it to that sample's node.
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = deltas[i + 1] ?? deltas[i] ?? 0;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const byFn = new Map();
  const byPkg = new Map();
  for (const [id, us] of self) {
    const n = nodes.get(id);
    const cf = n.callFrame;
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const pkg = packageOf(cf);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  // Inclusive ("total") time of our own packages' functions: self time of everything they call.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byOwn = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = nodes.get(cur).callFrame;
      if (!/\/(packages|apps)\/[^/]+\/dist\//.test(cf.url)) continue;
      const key = `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      byOwn.set(key, (byOwn.get(key) ?? 0) + us);
    }
  }
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: total ? (100 * us) / total : 0 }));
  return { totalMs: total / 1000, functions: rank(byFn), packages: rank(byPkg), engineTotal: rank(byOwn) };
}

function shortUrl(url) {
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  const m = /\/(packages|apps|bench)\/(.*)$/.exec(u);
  return m ? `${m[1]}/${m[2]}` : u;
}

function packageOf(cf) {
  const name = cf.functionName;
  if (!cf.url) {
    if (name === '(garbage collector)') return '(gc)';
    if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
    return '(native)';
  }
  const u = cf.url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(packages|apps)\/([^/]+)\//.exec(u);
  if (m) return `@naftiko-ts/${m[2]}`;
  if (u.startsWith('node:')) return 'node:internal';
  return u.includes('/bench/') ? 'bench' : u;
}

export function formatSummary(s) {
  const lines = [`total ${s.totalMs.toFixed(0)} ms sampled`, '', 'self time by function:'];
  for (const f of s.functions) lines.push(`  ${f.pct.toFixed(1).padStart(5)}%  ${f.ms.toFixed(1).padStart(8)} ms  ${f.name}`);
  lines.push('', 'self time by package:');
  for (const p of s.packages) lines.push(`  ${p.pct.toFixed(1).padStart(5)}%  ${p.ms.toFixed(1).padStart(8)} ms  ${p.name}`);
  if (s.engineTotal?.length) {
    lines.push('', 'total (inclusive) time of naftiko-ts functions:');
    for (const p of s.engineTotal) lines.push(`  ${p.pct.toFixed(1).padStart(5)}%  ${p.ms.toFixed(1).padStart(8)} ms  ${p.name}`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  if (positionals.length === 0) {
    process.stderr.write('usage: node bench/src/profile-top.mjs <file.cpuprofile> [--top N]\n');
    process.exitCode = 2;
  } else {
    for (const file of positionals) {
      const s = summariseProfile(JSON.parse(fs.readFileSync(file, 'utf8')), Number(values.top ?? 25));
      process.stdout.write(`## ${file}\n${formatSummary(s)}\n\n`);
    }
  }
}
