// Unit tests of the harness's pure parts: a wrong verdict or a failure averaged away would make
// the bench lie, so these are tested like product code.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { summarise, addRatios, verdicts, median, toMarkdown, pairedRatio } from '../src/lib/report.mjs';
// @ts-expect-error plain ESM without types
import { checkBody, TOKEN, TOKEN_BODY, MCP_CALL_BODY, requestFor } from '../src/lib/fixtures.mjs';
// @ts-expect-error plain ESM without types
import { parseOptions, UsageError } from '../src/lib/options.mjs';
// @ts-expect-error plain ESM without types
import { portCollector } from '../src/lib/coldstart.mjs';
// @ts-expect-error plain ESM without types
import { percentile } from '../src/lib/load.mjs';

const MiB = 1024 * 1024;
const ok = (rps: number, p99: number, extra: object = {}) => ({
  ok: true,
  rps,
  p50: p99 / 2,
  p99,
  rss: 100 * MiB,
  startMs: 300,
  cpuUsPerReq: 1e6 / rps, // a target that saturates its CPU
  ...extra,
});
const target = (rps: number, p99: number, extra: object = {}) => summarise([ok(rps, p99, extra)]);

describe('summarise', () => {
  it('takes medians over rounds and the maximum RSS', () => {
    const s = summarise([ok(100, 10, { rss: 90 * MiB }), ok(300, 30, { rss: 120 * MiB }), ok(200, 20, { rss: 80 * MiB })]);
    expect(s).toMatchObject({ status: 'ok', rps: 200, p99: 20, rssPeak: 120 * MiB, rpsMin: 100, rpsMax: 300 });
  });
  it('never averages a failed run away: one failure fails the target, with no numbers', () => {
    const s = summarise([ok(100, 10), { ok: false, round: 2, failures: ['measure: non-200 responses 502×3'] }, ok(120, 9)]);
    expect(s.status).toBe('failed');
    expect(s.rps).toBeUndefined();
    expect(s.failures).toEqual(['round 2: measure: non-200 responses 502×3']);
  });
  it('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('pairedRatio', () => {
  it('pairs runs by round, so a machine getting quieter during the bench cancels out', () => {
    // The machine doubles its speed each round; the target is always 0.8× the reference.
    const ref = { runs: [1, 2, 3].map((round) => ({ round, ok: true, rps: 100 * 2 ** round })) };
    const a = { runs: [1, 2, 3].map((round) => ({ round, ok: true, rps: 80 * 2 ** round })) };
    // Medians alone would compare a's round-2 run with ref's round-2 run only by luck.
    expect(pairedRatio(a, ref, 'rps')).toBeCloseTo(0.8);
    a.runs[1]!.ok = false;
    expect(pairedRatio(a, ref, 'rps')).toBeCloseTo(0.8);
    expect(pairedRatio({ rps: 50 }, { rps: 100 }, 'rps')).toBe(0.5);
  });
});

describe('verdicts', () => {
  const base = () =>
    addRatios({
      passthrough: target(1000, 10),
      rest: target(1100, 11),
      mcp: target(600, 20),
      sdk: target(300, 40),
      'rest-179': target(1050, 12, { startMs: 1500, rss: 250 * MiB }),
      'mcp-179': target(500, 25, { startMs: 2500, rss: 310 * MiB }),
    });
  const byId = (v: Array<{ id: string }>) => Object.fromEntries(v.map((x) => [x.id, x]));

  it('judges every issue-8 target from the same run', () => {
    const v = byId(verdicts(base(), { median: 350 }));
    expect(v['rest-rps']).toMatchObject({ pass: true, value: 1.1 });
    expect(v['rest-p99']).toMatchObject({ pass: true });
    expect(v['rest-cpu'].pass).toBe(true);
    expect(v['rest-cpu'].value).toBeCloseTo(1000 / 1100);
    expect(v['mcp-cpu'].pass).toBe(true); // 1000/600 ≤ 2
    expect(v['mcp-rps']).toMatchObject({ pass: true, value: 0.6 });
    expect(v['mcp-p99'].pass).toBe(true); // 20 / 11 ≤ 2
    expect(v['mcp-vs-sdk']).toMatchObject({ pass: true, value: 2 });
    expect(v['cold-start']).toMatchObject({ pass: true, value: 350 });
    expect(v['rest-rss'].pass).toBe(true);
    expect(v['rest-179-start'].pass).toBe(true);
    expect(v['rest-179-rss'].pass).toBe(true);
    expect(v['rest-179-rps'].pass).toBe(true); // 1050/1100 ≥ 0.9
    expect(v['mcp-179-start'].pass).toBe(false);
    expect(v['mcp-179-rss'].pass).toBe(false);
    expect(v['mcp-179-rps'].pass).toBe(false); // 500/600 < 0.9
  });
  it('misses REST below the passthrough and MCP above 2× REST p99', () => {
    const t = base();
    t.rest = target(990, 13);
    t.mcp = target(700, 27);
    addRatios(t);
    const v = byId(verdicts(t, { median: 401 }));
    expect(v['rest-rps'].pass).toBe(false);
    expect(v['rest-cpu'].pass).toBe(false);
    expect(v['rest-p99'].pass).toBe(false); // 13/10 > 1.2
    expect(v['mcp-p99'].pass).toBe(false); // 27/13 > 2
    expect(v['cold-start'].pass).toBe(false);
  });
  it('says n/a with the reason when a target has no result, and judges nothing in smoke mode', () => {
    const t = base();
    t.rest = summarise([{ ok: false, failures: ['x'] }]);
    const v = byId(verdicts(t, { samples: [], reason: 'not built' }));
    expect(v['rest-rps']).toMatchObject({ pass: null, note: 'no result for rest' });
    expect(v['cold-start']).toMatchObject({ pass: null, note: 'not built' });
    expect(verdicts(base(), { median: 1 }, { smoke: true }).every((x: { pass: unknown }) => x.pass === null)).toBe(true);
  });
  it('renders FAILED targets without numbers in the markdown', () => {
    const t = base();
    t.rest = summarise([{ ok: false, round: 1, failures: ['measure: 12 bodies failed the check'] }]);
    addRatios(t);
    const md = toMarkdown({
      meta: { date: 'd', node: 'v20', cpus: 2, cpuModel: 'x', pinned: true, rounds: 1, durationS: 1, warmupS: 0, connections: 1, smoke: false },
      targets: t,
      verdicts: verdicts(t, undefined),
      notes: [],
    });
    expect(md).toMatch(/\| rest \| – \| – \|.*\*\*FAILED\*\*: round 1: measure: 12 bodies failed the check/);
    expect(md).toContain('| passthrough | 1,000 |');
  });
});

describe('response checks', () => {
  it('accepts the token body and a correct MCP result, rejects the rest', () => {
    expect(checkBody('http', TOKEN_BODY)).toBeUndefined();
    expect(checkBody('http', '{"data":{"token":"eyJother"},"meta":{}}')).toBe('the token is missing');
    const text = JSON.stringify(TOKEN_BODY);
    const result = `{"result":{"content":[{"type":"text","text":${text}}],"structuredContent":${TOKEN_BODY}},"jsonrpc":"2.0","id":1}`;
    expect(checkBody('mcp', result)).toBeUndefined();
    expect(checkBody('mcp', result.replace('"content"', '"isError":true,"content"'))).toMatch(/isError/);
    expect(checkBody('mcp', `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"${TOKEN}"}}`)).toBe('no JSON-RPC result');
    expect(checkBody('http', undefined)).toBe('the token is missing');
  });
  it('sends the seed request to every target', () => {
    expect(JSON.parse(requestFor('http').body)).toEqual({ expires_at: 2147483647, channel_ids: [1] });
    expect(JSON.parse(MCP_CALL_BODY).params).toEqual({
      name: 'bigcommerce-create-token',
      arguments: { body: { expires_at: 2147483647, channel_ids: [1] } },
    });
    expect(requestFor('mcp').headers.accept).toBe('application/json, text/event-stream');
  });
  it('percentiles use the nearest rank', () => {
    const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(Float64Array.of(7), 99)).toBe(7);
  });
});

describe('options', () => {
  it('has the documented defaults, and smoke shrinks everything', () => {
    expect(parseOptions([])).toMatchObject({ rounds: 3, durationS: 10, warmupS: 3, connections: 50, pin: true, coldStarts: 5 });
    expect(parseOptions(['--smoke'])).toMatchObject({ rounds: 1, durationS: 1, warmupS: 0, pin: false, smoke: true });
    expect(parseOptions(['--no-pin', '--only', 'rest,mcp']).pin).toBe(false);
    expect(parseOptions(['--only', 'rest, mcp']).only).toEqual(['rest', 'mcp']);
  });
  it('refuses unknown targets and bad numbers', () => {
    expect(() => parseOptions(['--only', 'rest,fast'])).toThrow(UsageError);
    expect(() => parseOptions(['--rounds', '0'])).toThrow(/--rounds/);
    expect(() => parseOptions(['--bogus'])).toThrow();
  });
});

describe('cold start: listener discovery', () => {
  it('reads both listeners from the CLI ready lines', () => {
    const collect = portCollector();
    expect(collect('REST listening on http://127.0.0.1:40001')).toBeUndefined();
    expect(collect('  POST /v1/storefront/api-token-customer-impersonation')).toBeUndefined();
    expect(collect('MCP listening on http://127.0.0.1:40002/mcp')).toEqual({ ports: { rest: 40001, mcp: 40002 } });
  });
});
