import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapability, type Capability } from '@naftiko-ts/spec';
import type { Logger } from '../src/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(sharedDir);
export const corpusDir = path.join(sharedDir, 'corpus/bigcommerce');
/** The seed ships inside apps/server (the user's own document), so seed tests run without ../shared. */
export const seedFile = path.join(repoRoot, 'apps/server/capabilities/storefront-token-customer-impersonation-token.yaml');
export const hasSeed = fs.existsSync(seedFile);
export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Parses a capability; fails the test on any error diagnostic. */
export function load(text: string, source = '<test>'): Capability {
  const { capability, diagnostics } = parseCapability(text, { source });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!capability || errors.length > 0) {
    throw new Error(`capability does not load: ${errors.map((e) => e.message).join('; ')}`);
  }
  return capability;
}

export function loadFile(file: string): Capability {
  return load(fs.readFileSync(file, 'utf8'), file);
}

export interface Recorded {
  method: string;
  /** Raw request target (path + query), exactly as received. */
  url: string;
  path: string;
  query: Array<[string, string]>;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type StubHandler = (req: Recorded, res: http.ServerResponse, raw: http.IncomingMessage) => void;

export interface Stub {
  url: string;
  port: number;
  requests: Recorded[];
  handler: StubHandler;
  /** Open sockets right now (to prove the pool drains). */
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export const jsonOk: StubHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, method: req.method }));
};

/** A recording upstream on 127.0.0.1, port 0. */
export async function startStub(handler: StubHandler = jsonOk): Promise<Stub> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const stub: Stub = {
    url: '',
    port: 0,
    requests,
    handler,
    sockets,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rec: Recorded = {
        method: req.method ?? '',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))],
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(rec);
      stub.handler(rec, res, req);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  stub.port = port;
  stub.url = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return stub;
}

/** A logger that keeps every line (to grep for secrets). */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, ...obj, msg }));
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A `sleep` that records the requested delays and returns at once. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}

/** Builds a small capability YAML around one consumed block. */
export function capabilityYaml(consumes: string, extra = ''): string {
  return `naftiko: 1.0.0-alpha2
info:
  label: test
binds:
- namespace: env
  keys:
    API_KEY: TEST_API_KEY
${extra}capability:
  consumes:
${consumes}
  exposes:
  - type: rest
    namespace: test-rest
    port: 8080
    resources: []
`;
}
