// Aggregation, target verdicts and the markdown/JSON report. Pure functions (unit-tested).

const MiB = 1024 * 1024;

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Summarise the rounds of one target. A target with ANY failed run is FAILED and gets no numbers:
 * failures are never averaged away.
 * @param {{ ok: boolean, rps: number, p50: number, p99: number, rss?: number, startMs?: number, failures?: string[] }[]} runs
 */
export function summarise(runs) {
  if (runs.length === 0) return { status: 'skipped' };
  const failed = runs.filter((r) => !r.ok);
  if (failed.length) {
    return {
      status: 'failed',
      failures: failed.flatMap((r) => (r.failures ?? []).map((f) => `round ${r.round ?? '?'}: ${f}`)),
    };
  }
  const rss = runs.map((r) => r.rss).filter((x) => Number.isFinite(x));
  return {
    status: 'ok',
    rps: median(runs.map((r) => r.rps)),
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    rssPeak: rss.length ? Math.max(...rss) : NaN,
    startMs: median(runs.map((r) => r.startMs)),
    cpuUsPerReq: median(runs.map((r) => r.cpuUsPerReq)),
  };
}

/**
 * `a[key] / b[key]`, paired by round: the median of the per-round ratios when both targets have
 * runs of the same rounds (the two were measured minutes apart, under the same conditions; a
 * machine getting busier or quieter during the bench cancels out), else the ratio of the medians.
 */
export function pairedRatio(a, b, key) {
  if (a?.runs && b?.runs) {
    const byRound = new Map(b.runs.filter((r) => r.ok).map((r) => [r.round, r]));
    const ratios = a.runs
      .filter((r) => r.ok && byRound.has(r.round))
      .map((r) => r[key] / byRound.get(r.round)[key])
      .filter((x) => Number.isFinite(x));
    if (ratios.length) return median(ratios);
  }
  return a[key] / b[key];
}

/** Adds `ratio.rps` / `ratio.p99` / `ratio.cpu` against the reference target (the hand-written passthrough). */
export function addRatios(targets, reference = 'passthrough') {
  const ref = targets[reference];
  for (const t of Object.values(targets)) {
    if (t.status !== 'ok' || !ref || ref.status !== 'ok') continue;
    t.ratio = { rps: pairedRatio(t, ref, 'rps'), p99: pairedRatio(t, ref, 'p99'), cpu: pairedRatio(t, ref, 'cpuUsPerReq') };
  }
  return targets;
}

/**
 * The targets of issue 8. Each verdict is pass (true), miss (false) or n/a (null, with a note).
 * @param {Record<string, any>} t summarised targets (with ratios)
 * @param {{ median?: number, status?: string }} [coldStart]
 * @param {{ smoke?: boolean }} [opts]
 */
export function verdicts(t, coldStart, opts = {}) {
  const out = [];
  const ok = (name) => t[name] && t[name].status === 'ok';
  const add = (id, label, value, limit, pass, note) => out.push({ id, label, value, limit, pass, note });
  const na = (id, label, note) => add(id, label, undefined, undefined, null, note);
  const need = (...names) => {
    const missing = names.filter((n) => !ok(n));
    return missing.length ? `no result for ${missing.join(', ')}` : undefined;
  };

  let why = need('rest', 'passthrough');
  if (why) {
    na('rest-rps', 'REST req/s ≥ 1.0× passthrough', why);
    na('rest-p99', 'REST p99 ≤ 1.2× passthrough p99', why);
  } else {
    const r = pairedRatio(t.rest, t.passthrough, 'rps');
    add('rest-rps', 'REST req/s ≥ 1.0× passthrough', r, 1.0, r >= 1.0);
    const p = pairedRatio(t.rest, t.passthrough, 'p99');
    add('rest-p99', 'REST p99 ≤ 1.2× passthrough p99', p, 1.2, p <= 1.2);
  }
  // The same two targets in CPU per request: what the engine costs, hardly affected by how busy
  // the machine is (req/s is). Equal req/s at full CPU ⇔ equal CPU per request.
  why = need('rest', 'passthrough');
  const cpuOk = (n) => Number.isFinite(t[n]?.cpuUsPerReq) && t[n].cpuUsPerReq > 0;
  if (why || !cpuOk('rest') || !cpuOk('passthrough')) na('rest-cpu', 'REST CPU/request ≤ 1.0× passthrough (CPU form of the req/s target)', why ?? 'no CPU figures');
  else {
    const r = pairedRatio(t.rest, t.passthrough, 'cpuUsPerReq');
    add('rest-cpu', 'REST CPU/request ≤ 1.0× passthrough (CPU form of the req/s target)', r, 1.0, r <= 1.0);
  }
  why = need('mcp', 'passthrough');
  if (why) na('mcp-rps', 'MCP tools/call req/s ≥ 0.5× passthrough', why);
  else {
    const r = pairedRatio(t.mcp, t.passthrough, 'rps');
    add('mcp-rps', 'MCP tools/call req/s ≥ 0.5× passthrough', r, 0.5, r >= 0.5);
  }
  why = need('mcp', 'passthrough');
  if (why || !cpuOk('mcp') || !cpuOk('passthrough')) na('mcp-cpu', 'MCP CPU/request ≤ 2.0× passthrough (CPU form of the req/s target)', why ?? 'no CPU figures');
  else {
    const r = pairedRatio(t.mcp, t.passthrough, 'cpuUsPerReq');
    add('mcp-cpu', 'MCP CPU/request ≤ 2.0× passthrough (CPU form of the req/s target)', r, 2.0, r <= 2.0);
  }
  why = need('mcp', 'rest');
  if (why) na('mcp-p99', 'MCP p99 ≤ 2× REST p99', why);
  else {
    const p = pairedRatio(t.mcp, t.rest, 'p99');
    add('mcp-p99', 'MCP p99 ≤ 2× REST p99', p, 2.0, p <= 2.0);
  }
  why = need('mcp', 'sdk');
  if (why) na('mcp-vs-sdk', 'MCP req/s ≥ 1.5× SDK best stateless', why);
  else {
    const r = pairedRatio(t.mcp, t.sdk, 'rps');
    add('mcp-vs-sdk', 'MCP req/s ≥ 1.5× SDK best stateless', r, 1.5, r >= 1.5);
  }
  if (coldStart && Number.isFinite(coldStart.median)) {
    add('cold-start', 'cold start ≤ 400 ms (both listeners answering)', coldStart.median, 400, coldStart.median <= 400);
  } else na('cold-start', 'cold start ≤ 400 ms (both listeners answering)', coldStart?.reason ?? 'not measured');
  for (const name of ['rest', 'mcp']) {
    if (!ok(name) || !Number.isFinite(t[name].rssPeak)) na(`${name}-rss`, `${name} peak RSS ≤ 150 MiB`, `no result for ${name}`);
    else add(`${name}-rss`, `${name} peak RSS ≤ 150 MiB`, t[name].rssPeak / MiB, 150, t[name].rssPeak <= 150 * MiB);
  }
  for (const name of ['rest', 'mcp']) {
    const big = `${name}-179`;
    if (!ok(big)) {
      na(`${big}-start`, `${big}: start ≤ 2 s`, `no result for ${big}`);
      na(`${big}-rss`, `${big}: peak RSS ≤ 300 MiB`, `no result for ${big}`);
    } else {
      add(`${big}-start`, `${big}: start ≤ 2 s`, t[big].startMs, 2000, t[big].startMs <= 2000);
      add(`${big}-rss`, `${big}: peak RSS ≤ 300 MiB`, t[big].rssPeak / MiB, 300, t[big].rssPeak <= 300 * MiB);
    }
    why = need(big, name);
    if (why) na(`${big}-rps`, `${big}: req/s within 10% of ${name}`, why);
    else {
      const r = pairedRatio(t[big], t[name], 'rps');
      add(`${big}-rps`, `${big}: req/s within 10% of ${name}`, r, 0.9, r >= 0.9);
    }
  }
  if (opts.smoke) {
    for (const v of out) {
      if (v.pass !== null) {
        v.note = 'smoke run: not judged';
        v.pass = null;
      }
    }
  }
  return out;
}

const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');

export function toMarkdown(report) {
  const m = report.meta;
  const lines = [];
  lines.push(`# naftiko-ts bench — ${m.date}${m.smoke ? ' (smoke)' : ''}`);
  lines.push('');
  lines.push(
    `Node ${m.node}, ${m.cpus} CPU (${m.cpuModel}), ${m.pinned ? 'pinned: targets on CPU 0, load generator + upstream stand-in on CPU 1' : 'not pinned'}; ` +
      `autocannon, ${m.connections} connections, ${m.warmupS} s warm-up + ${m.durationS} s, ${m.rounds} interleaved round(s), ` +
      `a fresh process per target per round${m.commit ? `; commit ${m.commit}` : ''}.`,
  );
  if (m.loadavg) {
    lines.push(
      `Load average (1 min) ${m.loadavg.before.toFixed(2)} before, ${m.loadavg.after.toFixed(2)} after` +
        // The bench itself keeps ~2 processes busy: "after" only says something above that.
        (m.loadavg.before > m.cpus * 0.75 || m.loadavg.after > m.cpus + 1
          ? ' — **other work was running: absolute numbers are unreliable, compare ratios**.'
          : '.'),
    );
  }
  lines.push(
    'Values are medians over rounds (peak RSS: the maximum); ratios are medians of the per-round ratios (each pair measured in the same round). ' +
      'Every response was checked (status 200, the token present, no `isError`).',
  );
  lines.push('');
  lines.push(
    '| target | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | start ms | × passthrough req/s | × passthrough p99 | × passthrough CPU/req | status |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const [name, t] of Object.entries(report.targets)) {
    if (t.status === 'ok') {
      lines.push(
        `| ${name} | ${fmtInt(t.rps)} | ${fmt(t.p50, 2)} | ${fmt(t.p99, 2)} | ${fmt(t.cpuUsPerReq, 0)} | ${fmt(t.rssPeak / MiB, 0)} | ${fmt(t.startMs, 0)} | ${t.ratio ? fmt(t.ratio.rps, 2) : '–'} | ${t.ratio ? fmt(t.ratio.p99, 2) : '–'} | ${t.ratio ? fmt(t.ratio.cpu, 2) : '–'} | ok |`,
      );
    } else {
      const first = String((t.failures ?? [])[0] ?? '');
      const short = first.length > 300 ? `${first.slice(0, 300)}…` : first;
      const why = t.status === 'failed' ? `**FAILED**: ${short}` : `skipped: ${t.reason ?? ''}`;
      lines.push(`| ${name} | – | – | – | – | – | – | – | – | – | ${why.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
    }
  }
  lines.push('');
  if (report.coldStart) {
    const c = report.coldStart;
    lines.push(
      Number.isFinite(c.median)
        ? `Cold start (\`naftiko-ts serve\` seed, spawn → REST and MCP both answering): median ${fmt(c.median, 0)} ms of ${c.samples.length} (${c.samples.map((s) => fmt(s, 0)).join(', ')}).`
        : `Cold start: ${c.reason ?? 'not measured'}.`,
    );
    lines.push('');
  }
  lines.push('| target (issue 8) | value | limit | verdict |');
  lines.push('|---|---:|---:|---|');
  for (const v of report.verdicts) {
    const verdict = v.pass === true ? 'PASS' : v.pass === false ? '**MISS**' : `n/a${v.note ? ` (${v.note})` : ''}`;
    const digits = v.limit !== undefined && v.limit < 10 ? 2 : 0;
    lines.push(`| ${v.label} | ${fmt(v.value, digits)} | ${v.limit ?? '–'} | ${verdict} |`);
  }
  lines.push('');
  const roundsTable = Object.entries(report.targets).filter(([, t]) => t.runs && t.runs.length > 1);
  if (roundsTable.length) {
    lines.push('Per round (req/s):');
    lines.push('');
    lines.push(`| target | ${report.targets[roundsTable[0][0]].runs.map((_, i) => `round ${i + 1}`).join(' | ')} |`);
    lines.push(`|---|${report.targets[roundsTable[0][0]].runs.map(() => '---:').join('|')}|`);
    for (const [name, t] of roundsTable) {
      lines.push(`| ${name} | ${t.runs.map((r) => (r.ok ? fmtInt(r.rps) : 'FAILED')).join(' | ')} |`);
    }
    lines.push('');
    const ref = report.targets.passthrough;
    if (ref && ref.runs) {
      const refBy = new Map(ref.runs.map((r) => [r.round, r]));
      lines.push('Per round (× passthrough req/s of the same round):');
      lines.push('');
      lines.push(`| target | ${ref.runs.map((r) => `round ${r.round}`).join(' | ')} |`);
      lines.push(`|---|${ref.runs.map(() => '---:').join('|')}|`);
      for (const [name, t] of roundsTable) {
        if (name === 'passthrough') continue;
        const cells = ref.runs.map((pr) => {
          const r = t.runs.find((x) => x.round === pr.round);
          return r && r.ok && pr.ok ? fmt(r.rps / refBy.get(pr.round).rps, 2) : '–';
        });
        lines.push(`| ${name} | ${cells.join(' | ')} |`);
      }
      lines.push('');
    }
  }
  if (report.profiles) {
    for (const [file, p] of Object.entries(report.profiles)) {
      lines.push(`Profile \`${file}\` (${p.totalMs.toFixed(0)} ms sampled), self time:`);
      lines.push('');
      lines.push('| % | function | | % | package |');
      lines.push('|---:|---|---|---:|---|');
      const n = Math.max(p.functions.length, p.packages.length);
      for (let i = 0; i < n; i++) {
        const f = p.functions[i];
        const k = p.packages[i];
        lines.push(
          `| ${f ? f.pct.toFixed(1) : ''} | ${f ? `\`${f.name.replace(/\|/g, '\\|')}\`` : ''} | | ${k ? k.pct.toFixed(1) : ''} | ${k ? k.name : ''} |`,
        );
      }
      lines.push('');
    }
  }
  if (report.notes && report.notes.length) {
    for (const n of report.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}
