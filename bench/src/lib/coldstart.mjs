// Cold start: spawn `naftiko-ts serve` on the seed (ports 0, `--base-uri` at the stand-in) and time
// spawn → BOTH listeners answering a real request (the REST route and an MCP tools/call, each
// checked like the measured runs). Median of N fresh processes.
import path from 'node:path';
import { request } from 'undici';
import { API_KEY, REPO_ROOT, SEED_NAMESPACE, STORE_HASH, checkBody, requestFor, seedFile, upstreamBaseUri } from './fixtures.mjs';
import { startProcess } from './proc.mjs';
import { median } from './report.mjs';

export const CLI = path.join(REPO_ROOT, 'apps/server/bin/naftiko-ts.mjs');

export function serveArgs(upstreamOrigin, files = [seedFile()]) {
  return [
    CLI,
    'serve',
    ...files,
    '--rest-port',
    '0',
    '--mcp-port',
    '0',
    '--base-uri',
    `${SEED_NAMESPACE}=${upstreamBaseUri(upstreamOrigin)}`,
    '--var',
    `store_hash=${STORE_HASH}`,
  ];
}

/**
 * Finds the listening ports in the CLI's output: any `127.0.0.1:PORT` / `localhost:PORT`, with the
 * word `mcp` or `rest` on the same line telling which is which. Resolves once both are known.
 */
export function portCollector() {
  const ports = {};
  return (line) => {
    const re = /(?:127\.0\.0\.1|localhost|\[::1\]):(\d{2,5})/g;
    let m;
    while ((m = re.exec(line))) {
      const port = Number(m[1]);
      const lower = line.toLowerCase();
      const restIdx = lower.indexOf('rest');
      const mcpIdx = lower.indexOf('mcp');
      // The keyword nearest before the address names the listener.
      const before = (i) => (i >= 0 && i < m.index ? m.index - i : Infinity);
      if (before(mcpIdx) < before(restIdx)) ports.mcp ??= port;
      else if (before(restIdx) < Infinity) ports.rest ??= port;
    }
    return ports.rest && ports.mcp && ports.rest !== ports.mcp ? { ports: { ...ports } } : undefined;
  };
}

async function answer(origin, kind) {
  const req = requestFor(kind);
  const res = await request(origin + req.path, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.body.text();
  const why = res.statusCode !== 200 ? `status ${res.statusCode}` : checkBody(kind, text);
  if (why) throw new Error(`${kind}: ${why}: ${text.slice(0, 300)}`);
}

export async function measureColdStart({ samples, upstreamOrigin, cpu, log }) {
  const out = { samples: [], failures: [] };
  for (let i = 0; i < samples; i++) {
    let proc;
    try {
      proc = await startProcess({
        name: 'naftiko-ts serve',
        args: serveArgs(upstreamOrigin),
        env: { BIGCOMMERCE_API_KEY: API_KEY, NODE_ENV: 'production' },
        cpu,
        readyLine: portCollector(),
        timeoutMs: 20_000,
      });
      const { rest, mcp } = proc.info.ports;
      await Promise.all([answer(`http://127.0.0.1:${rest}`, 'http'), answer(`http://127.0.0.1:${mcp}`, 'mcp')]);
      const ms = Number(process.hrtime.bigint() - proc.t0) / 1e6;
      out.samples.push(ms);
      log?.(`  cold start ${i + 1}: ${ms.toFixed(0)} ms`);
    } catch (err) {
      out.failures.push(String(err && err.message ? err.message : err));
      log?.(`  cold start ${i + 1} FAILED: ${out.failures.at(-1)}`);
    } finally {
      if (proc) await proc.stop();
    }
  }
  if (out.failures.length) {
    out.failed = true;
    out.reason = `FAILED: ${out.failures[0]}`;
  } else out.median = median(out.samples);
  return out;
}
