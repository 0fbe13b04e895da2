import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapability, type Capability, type RestAdapter } from '@naftiko-ts/spec';
import { createConsumer, type Consumer, type CreateConsumerOptions } from '@naftiko-ts/consumer';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(packageRoot, '../..');
export const shared = path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(path.join(shared, 'corpus/bigcommerce'));
export const corpusDir = path.join(shared, 'corpus/bigcommerce');
/** The seed ships inside apps/server (the user's own document), so seed tests run without ../shared. */
export const seedFile = path.join(repoRoot, 'apps/server/capabilities/storefront-token-customer-impersonation-token.yaml');
export const hasSeed = fs.existsSync(seedFile);
export const fixturesDir = path.join(packageRoot, 'test/fixtures');

/** The upstream secret used by every stub-backed test: it must never leak. */
export const UPSTREAM_SECRET = 'upstream-secret-Zq7!x"9';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Responder = (req: RecordedRequest, res: http.ServerResponse) => void;

export interface Stub {
  url: string;
  requests: RecordedRequest[];
  /** Sets how the stub answers the next requests (default: 200 JSON describing the request). */
  respond(fn: Responder): void;
  /** Resolves when the stub sees the N-th request's socket close (for abort tests). */
  closedRequests: number;
  close(): Promise<void>;
}

export const echo: Responder = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ method: req.method, url: req.url }));
};

/** A recording upstream on 127.0.0.1, port 0. */
export async function startStub(initial: Responder = echo): Promise<Stub> {
  let responder = initial;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const stub = {
    url: '',
    requests,
    closedRequests: 0,
    respond(fn: Responder) {
      responder = fn;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  } as Stub;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      res.on('close', () => {
        stub.closedRequests++;
      });
      responder(rec, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}

export function parse(text: string, source = 'test.yaml'): Capability {
  const { capability, diagnostics } = parseCapability(text, { source });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (capability === undefined || errors.length > 0) {
    throw new Error(`${source}: ${errors.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  }
  return capability;
}

export function parseFixture(name: string): Capability {
  return parse(fs.readFileSync(path.join(fixturesDir, name), 'utf8'), name);
}

export function restAdapterOf(capability: Capability): RestAdapter {
  const a = capability.exposes.find((e): e is RestAdapter => e.type === 'rest');
  if (a === undefined) throw new Error(`${capability.source}: no REST adapter`);
  return a;
}

/** A real consumer whose every consumes block points at `baseUrl` (path prefix kept: `/api`). */
export function consumerFor(capability: Capability, baseUrl: string, extra: Partial<CreateConsumerOptions> = {}): Consumer {
  const overrides: Record<string, string> = {};
  const vars: Record<string, string> = {};
  for (const c of capability.consumes) {
    overrides[c.namespace] = `${baseUrl}/api`;
    for (const v of capability.baseUriVariables[c.namespace] ?? []) vars[v] = 'test-store';
  }
  const secrets: Record<string, string> = {};
  for (const b of capability.binds) for (const k of Object.keys(b.keys)) secrets[k] = UPSTREAM_SECRET;
  return createConsumer({
    capability,
    baseUriOverrides: overrides,
    vars,
    secrets,
    env: {},
    retry: { max: 0 },
    ...extra,
  });
}

/** Collects log lines written by pino (for redaction checks). */
export function logSink(): { stream: { write(s: string): void }; lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    stream: { write: (s: string) => void lines.push(s) },
    lines,
    text: () => lines.join(''),
  };
}

/** Polls `check` until it returns true (no fixed sleep; bounded by the test timeout). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}
