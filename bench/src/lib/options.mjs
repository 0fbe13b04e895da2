import { parseArgs } from 'node:util';

export const ALL_TARGETS = ['upstream', 'passthrough', 'http-proxy', 'rest', 'mcp', 'sdk', 'rest-179', 'mcp-179'];
export const SMOKE_TARGETS = ['upstream', 'passthrough', 'rest', 'mcp', 'sdk'];

export const USAGE = `Usage: pnpm bench [options]     (or: node bench/src/run.mjs [options])

  --rounds N          interleaved rounds (default 3)
  --duration S        measured seconds per run (default 10)
  --warmup S          warm-up seconds per run, not measured but checked (default 3)
  --connections N     autocannon connections (default 50)
  --pin / --no-pin    pin with taskset when available: targets on CPU 0, load generator and
                      upstream stand-in on CPU 1 (default: pin)
  --only a,b          targets to run (default: all available)
                      ${ALL_TARGETS.join(', ')}
  --cold-starts N     cold-start samples of \`naftiko-ts serve\` (default 5; 0 to skip)
  --via MODE          how rest/mcp/*-179 are served: server (startServer, as \`naftiko-ts serve\`),
                      adapter (createRestApp/createMcpApp directly) or auto (server when built)
  --profile           run the targets under \`node --cpu-prof\` (profiles in <out>/profiles/)
  --out DIR           where to write the report (default bench/results)
  --smoke             a few seconds in total: 1 round, 1 s, no warm-up, 4 connections, a subset,
                      1 cold start, no verdicts; writes to bench/results/smoke/ unless --out
  -h, --help

Exit code: 0 when every run succeeded (targets missed are reported, not errors),
1 when a run FAILED (any non-200, bad body, connection error), 2 on bad usage.`;

function num(name, v, min) {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min} (got ${v})`);
  return n;
}

export class UsageError extends Error {}

export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pin: { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      only: { type: 'string' },
      'cold-starts': { type: 'string' },
      profile: { type: 'boolean' },
      via: { type: 'string' },
      out: { type: 'string' },
      smoke: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const smoke = values.smoke === true;
  const o = {
    help: values.help === true,
    smoke,
    rounds: num('rounds', values.rounds ?? (smoke ? 1 : 3), 1),
    durationS: num('duration', values.duration ?? (smoke ? 1 : 10), 1),
    warmupS: num('warmup', values.warmup ?? (smoke ? 0 : 3), 0),
    connections: num('connections', values.connections ?? (smoke ? 4 : 50), 1),
    pin: values['no-pin'] ? false : values.pin ?? !smoke,
    coldStarts: num('cold-starts', values['cold-starts'] ?? (smoke ? 1 : 5), 0),
    profile: values.profile === true,
    out: values.out,
    only: undefined,
    via: values.via ?? 'auto',
  };
  if (!['auto', 'server', 'adapter'].includes(o.via)) throw new UsageError(`--via must be auto, server or adapter (got ${o.via})`);
  if (values.only) {
    const names = values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !ALL_TARGETS.includes(n));
    if (unknown.length) throw new UsageError(`unknown target(s) in --only: ${unknown.join(', ')} (known: ${ALL_TARGETS.join(', ')})`);
    o.only = names;
  }
  return o;
}
