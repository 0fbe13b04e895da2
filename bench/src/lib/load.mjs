// The load generator: autocannon's programmatic API, in the harness process (pinned to the other
// core). Every response is checked (status 200 and `checkBody`), latencies are recorded at
// sub-millisecond resolution from autocannon's per-response timings.
import autocannon from 'autocannon';
import { request } from 'undici';
import { checkBody } from './fixtures.mjs';

/**
 * One request through undici before the load starts: fails fast with the actual answer when a
 * target is wrong (much clearer than "N mismatches").
 */
export async function probe(origin, req, kind) {
  const res = await request(origin + req.path, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.body.text();
  const why = res.statusCode !== 200 ? `status ${res.statusCode}` : checkBody(kind, text);
  return { ok: why === undefined, status: res.statusCode, why, sample: text.slice(0, 400) };
}

function runOnce(opts, latencies) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    if (latencies) {
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        latencies.push(responseTime);
      });
    }
  });
}

class Samples {
  constructor() {
    this.buf = new Float64Array(1 << 16);
    this.length = 0;
  }
  push(v) {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  sorted() {
    return this.buf.subarray(0, this.length).sort();
  }
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/**
 * Warm up, then measure.
 * @returns {Promise<{ ok: boolean, failures: string[], rps: number, p50: number, p99: number, p999: number,
 *   requests: number, durationS: number, statusCodes: Record<string, number>, mismatches: number,
 *   errors: number, timeouts: number, warmup?: object }>}
 */
export async function measure({ origin, req, kind, connections, durationS, warmupS, onMeasureStart }) {
  let firstBad;
  const verifyBody = (body) => {
    const why = checkBody(kind, body);
    if (why && firstBad === undefined) firstBad = `${why}: ${String(body).slice(0, 300)}`;
    return why === undefined;
  };
  const base = {
    url: origin,
    method: req.method,
    headers: req.headers,
    body: req.body,
    path: req.path,
    connections,
    pipelining: 1,
    timeout: 10,
    verifyBody,
  };
  let warm;
  if (warmupS > 0) {
    warm = await runOnce({ ...base, url: origin + req.path, duration: warmupS });
  }
  if (onMeasureStart) onMeasureStart();
  const latencies = new Samples();
  const r = await runOnce({ ...base, url: origin + req.path, duration: durationS }, latencies);
  const sorted = latencies.sorted();
  const statusCodes = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(v.count);
  const failures = [];
  const check = (res, phase) => {
    const codes = Object.entries(res.statusCodeStats ?? {}).filter(([c]) => c !== '200');
    if (codes.length) failures.push(`${phase}: non-200 responses ${codes.map(([c, v]) => `${c}×${v.count}`).join(', ')}`);
    if (res.mismatches) failures.push(`${phase}: ${res.mismatches} bodies failed the check`);
    if (res.errors) failures.push(`${phase}: ${res.errors} connection errors`);
    if (res.timeouts) failures.push(`${phase}: ${res.timeouts} timeouts`);
    if (!(res['2xx'] > 0)) failures.push(`${phase}: no responses at all`);
  };
  if (warm) check(warm, 'warm-up');
  check(r, 'measure');
  if (firstBad && failures.length) failures.push(`first bad body: ${firstBad}`);
  const requests = r['2xx'] + r['1xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    ok: failures.length === 0,
    failures,
    rps: requests / r.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    requests,
    durationS: r.duration,
    statusCodes,
    mismatches: r.mismatches,
    errors: r.errors,
    timeouts: r.timeouts,
    warmup: warm ? { requests: warm['2xx'], rps: warm['2xx'] / warm.duration } : undefined,
  };
}
