#!/usr/bin/env node
// `pnpm bench`: measures the engine against its reference points (issue 8). See bench/README.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE, UsageError, ALL_TARGETS, SMOKE_TARGETS } from './lib/options.mjs';
import { canPin, pinPid, startProcess, peakRss, cpuTimeMs, killAll } from './lib/proc.mjs';
import { measure, probe } from './lib/load.mjs';
import { summarise, addRatios, verdicts, toMarkdown } from './lib/report.mjs';
import { BENCH_DIR, CORPUS_DIR, REPO_ROOT, requestFor, seedFile } from './lib/fixtures.mjs';
import { measureColdStart } from './lib/coldstart.mjs';
import { corpusEnv } from './lib/corpus.mjs';
import { summariseProfile } from './profile-top.mjs';

const SRC = path.dirname(fileURLToPath(import.meta.url));
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** Is a workspace package built (its `exports` entry resolves to an existing file)? */
function built(pkg) {
  try {
    const file = fileURLToPath(import.meta.resolve(pkg));
    return fs.existsSync(file);
  } catch {
    return false;
  }
}

const engine = (flag, all) => ({
  script: 'targets/engine.mjs',
  args: [flag, ...(all ? ['--all'] : [])],
  needs: ['@naftiko-ts/spec', '@naftiko-ts/consumer', flag === '--rest' ? '@naftiko-ts/rest-adapter' : '@naftiko-ts/mcp-adapter'],
  seed: true,
  corpus: all,
  timeoutMs: all ? 60_000 : 30_000,
});

/** name → how to start it and what it is measured with. */
const TARGETS = {
  upstream: { script: 'targets/upstream.mjs', kind: 'upstream' },
  passthrough: { script: 'targets/passthrough.mjs', kind: 'http' },
  'http-proxy': { script: 'targets/http-proxy.mjs', kind: 'http' },
  rest: { ...engine('--rest', false), kind: 'http' },
  mcp: { ...engine('--mcp', false), kind: 'mcp' },
  sdk: { script: 'targets/sdk.mjs', kind: 'mcp' },
  'rest-179': { ...engine('--rest', true), kind: 'http' },
  'mcp-179': { ...engine('--mcp', true), kind: 'mcp' },
};

function unavailable(name) {
  const t = TARGETS[name];
  const missing = (t.needs ?? []).filter((p) => !built(p));
  if (missing.length) return `${missing.join(', ')} not built (pnpm build)`;
  if (t.seed && !seedFile()) return 'the seed capability was not found (../shared absent)';
  if (t.corpus && !fs.existsSync(CORPUS_DIR)) return `${path.relative(REPO_ROOT, CORPUS_DIR)} not found`;
  return undefined;
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function runTarget(name, round, ctx) {
  const t = TARGETS[name];
  const profileFile = ctx.opts.profile ? path.join(ctx.profileDir, `${name}-round${round}.cpuprofile`) : undefined;
  let proc;
  let cpuBefore;
  const run = { round, ok: false };
  try {
    if (t.corpus && !ctx.corpusEnv) ctx.corpusEnv = await corpusEnv();
    proc = await startProcess({
      name,
      args: [path.join(SRC, t.script), ...(t.args ?? []), ...(t.needs && ctx.opts.via !== 'auto' ? ['--via', ctx.opts.via] : [])],
      env: {
        ...(t.corpus ? ctx.corpusEnv : {}),
        ...ctx.childEnv,
        ...(profileFile ? { BENCH_PROFILE: profileFile } : {}),
      },
      cpu: ctx.pinned ? 0 : undefined,
      timeoutMs: t.timeoutMs,
    });
    const origin = `http://127.0.0.1:${proc.info.ports.http}`;
    // A target may serve the seed route under another path (e.g. a renamed route among 179 files).
    const req = requestFor(t.kind);
    if (proc.info.path && t.kind === 'http') req.path = proc.info.path;
    if (proc.info.via) run.via = proc.info.via;
    if (proc.info.files) run.files = proc.info.files;
    const first = await probe(origin, req, t.kind);
    run.startMs = Number(process.hrtime.bigint() - proc.t0) / 1e6;
    if (!first.ok) {
      run.failures = [`probe: ${first.why}: ${first.sample}`];
      return run;
    }
    const m = await measure({
      origin,
      req,
      kind: t.kind,
      connections: ctx.opts.connections,
      durationS: ctx.opts.durationS,
      warmupS: ctx.opts.warmupS,
      // Profile the measured phase only (the target starts its profiler on SIGUSR2).
      onMeasureStart: () => {
        if (profileFile) process.kill(proc.pid, 'SIGUSR2');
        cpuBefore = cpuTimeMs(proc.pid);
      },
    });
    const cpuAfter = cpuTimeMs(proc.pid);
    Object.assign(run, m);
    if (cpuBefore !== undefined && cpuAfter !== undefined && m.requests > 0) {
      run.cpuUsPerReq = ((cpuAfter - cpuBefore) * 1000) / m.requests;
    }
    run.rss = peakRss(proc.pid);
    if (proc.child.exitCode !== null) {
      run.ok = false;
      run.failures = [...(run.failures ?? []), `the process exited during the run: ${proc.stderr().slice(-500)}`];
    }
    if (ctx.standIn.child.exitCode !== null) throw new Error('the upstream stand-in died');
    return run;
  } catch (err) {
    run.ok = false;
    run.failures = [...(run.failures ?? []), String(err && err.message ? err.message : err)];
    return run;
  } finally {
    if (proc) await proc.stop();
  }
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outDir = path.resolve(opts.out ?? path.join(BENCH_DIR, 'results', opts.smoke ? 'smoke' : ''));
  fs.mkdirSync(outDir, { recursive: true });
  const profileDir = path.join(outDir, 'profiles');
  if (opts.profile) fs.mkdirSync(profileDir, { recursive: true });

  const loadBefore = os.loadavg()[0];
  const cpuCount = os.availableParallelism(); // before pinning this process to one CPU
  const pinned = opts.pin && canPin();
  if (opts.pin && !pinned) log('taskset or a second CPU is not available: running unpinned');
  if (pinned) pinPid(process.pid, 1);

  const wanted = opts.only ?? (opts.smoke ? SMOKE_TARGETS : ALL_TARGETS);
  const targets = {};
  const active = [];
  for (const name of wanted) {
    const why = unavailable(name);
    if (why) {
      targets[name] = { status: 'skipped', reason: why };
      log(`${name}: skipped (${why})`);
    } else {
      active.push(name);
    }
  }

  log('starting the upstream stand-in');
  const standIn = await startProcess({
    name: 'upstream stand-in',
    args: [path.join(SRC, 'targets/upstream.mjs')],
    cpu: pinned ? 1 : undefined,
  });
  const upstreamOrigin = `http://127.0.0.1:${standIn.info.ports.http}`;
  const ctx = {
    opts,
    pinned,
    profileDir,
    standIn,
    childEnv: { BENCH_UPSTREAM: upstreamOrigin, NODE_ENV: 'production' },
  };
  const notes = [];
  let coldStart;
  const runs = Object.fromEntries(active.map((n) => [n, []]));
  try {
    if (opts.coldStarts > 0) {
      if (!built('@naftiko-ts/server')) coldStart = { samples: [], reason: '@naftiko-ts/server not built' };
      else if (!seedFile()) coldStart = { samples: [], reason: 'the seed capability was not found' };
      else {
        log(`cold start × ${opts.coldStarts}`);
        coldStart = await measureColdStart({
          samples: opts.coldStarts,
          upstreamOrigin,
          cpu: pinned ? 0 : undefined,
          log,
        });
      }
    }
    for (let round = 1; round <= opts.rounds; round++) {
      // Interleave: every round runs every target once, starting one further along the list.
      const order = active.map((_, i) => active[(i + round - 1) % active.length]);
      for (const name of order) {
        log(`round ${round}/${opts.rounds}: ${name}`);
        const run = await runTarget(name, round, ctx);
        runs[name].push(run);
        log(
          run.ok
            ? `  ${Math.round(run.rps)} req/s, ${run.cpuUsPerReq?.toFixed(0)} CPU µs/req, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms, RSS ${(run.rss / 2 ** 20).toFixed(0)} MiB`
            : `  FAILED: ${(run.failures ?? []).join('; ')}`,
        );
      }
    }
    const standInRss = peakRss(standIn.pid);
    if (standInRss) notes.push(`upstream stand-in (shared, ${pinned ? 'CPU 1' : 'unpinned'}) peak RSS ${(standInRss / 2 ** 20).toFixed(0)} MiB.`);
  } finally {
    await standIn.stop();
  }

  for (const name of active) {
    targets[name] = { ...summarise(runs[name]), runs: runs[name] };
    const first = runs[name].find((r) => r.via);
    if (first) {
      targets[name].via = first.via;
      notes.push(
        `${name}: served via ${first.via === 'server' ? '`startServer()` (as `naftiko-ts serve`, REST + MCP listeners, logger silent)' : '`createRestApp`/`createMcpApp` directly'}, ${first.files ?? '?'} capability file(s).`,
      );
    }
  }
  // Keep the table in the canonical order.
  const ordered = {};
  for (const name of ALL_TARGETS) if (targets[name]) ordered[name] = targets[name];
  addRatios(ordered);
  let profiles;
  if (opts.profile) {
    notes.push(`CPU profiles of the measured phase: ${path.relative(REPO_ROOT, profileDir)}/ (\`node bench/src/profile-top.mjs <file>\`).`);
    profiles = {};
    for (const file of fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
      try {
        profiles[file] = summariseProfile(JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')), 12);
      } catch (err) {
        notes.push(`${file}: unreadable profile (${err.message})`);
      }
    }
  }

  const now = new Date();
  const report = {
    meta: {
      date: now.toISOString(),
      node: process.version,
      cpus: cpuCount,
      cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
      pinned,
      rounds: opts.rounds,
      durationS: opts.durationS,
      warmupS: opts.warmupS,
      connections: opts.connections,
      smoke: opts.smoke,
      commit: gitCommit(),
      loadavg: { before: loadBefore, after: os.loadavg()[0] },
    },
    targets: ordered,
    coldStart,
    verdicts: verdicts(ordered, coldStart, { smoke: opts.smoke }),
    notes,
    ...(profiles ? { profiles } : {}),
  };
  const md = toMarkdown(report);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(outDir, `${stamp}.md`), `${md}\n`);
  fs.writeFileSync(path.join(outDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'latest.md'), `${md}\n`);
  fs.writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${md}\n`);
  log(`wrote ${path.relative(process.cwd(), path.join(outDir, `${stamp}.md`))} and .json`);
  const failed = Object.entries(ordered).filter(([, t]) => t.status === 'failed');
  const coldFailed = coldStart && coldStart.failed;
  if (failed.length || coldFailed) {
    log(`FAILED: ${[...failed.map(([n]) => n), ...(coldFailed ? ['cold start'] : [])].join(', ')}`);
    return 1;
  }
  return 0;
}

// Interrupted (Ctrl-C, `timeout`, kill): stop every target and the stand-in before leaving.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping the child processes`);
    killAll('SIGTERM');
    setTimeout(() => {
      killAll('SIGKILL');
      process.exit(130);
    }, 1000).unref();
    process.exitCode = 130;
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`[bench] ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
