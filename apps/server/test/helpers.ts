import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const bin = path.join(root, 'apps/server/bin/naftiko-ts.mjs');
export const fixtures = path.join(root, 'apps/server/test/fixtures');
export const SEED_NS = 'storefront-token-customer-impersonation-token';

export interface Cli {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stderr / stdout so far. */
  stderr(): string;
  stdout(): string;
  /** Resolves with the listener URLs once every expected listener printed its line. */
  ready(kinds?: Array<'REST' | 'MCP'>): Promise<{ rest?: string; mcp?: string }>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the real CLI (`node apps/server/bin/naftiko-ts.mjs …`) with a controlled environment. */
export function spawnCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    // A minimal environment: no secrets leak in from the developer's shell.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (c: Buffer) => {
    err += String(c);
    for (const w of waiters.splice(0)) w();
  });
  child.stdout.on('data', (c: Buffer) => {
    out += String(c);
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve({ code, signal });
    });
  });
  const ready = (kinds: Array<'REST' | 'MCP'> = ['REST', 'MCP']) =>
    new Promise<{ rest?: string; mcp?: string }>((resolve, reject) => {
      const check = () => {
        const rest = /REST listening on (http:\/\/\S+)/.exec(err)?.[1];
        const mcp = /MCP listening on (http:\/\/\S+)/.exec(err)?.[1];
        const found = { ...(rest ? { rest } : {}), ...(mcp ? { mcp } : {}) };
        if (kinds.every((k) => (k === 'REST' ? rest : mcp))) return resolve(found);
        if (child.exitCode !== null) return reject(new Error(`CLI exited ${child.exitCode} before ready:\n${err}`));
        waiters.push(check);
      };
      check();
    });
  return { child, stderr: () => err, stdout: () => out, ready, exit };
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An upstream stand-in that records every request and answers `200 {"ok":true,…}`. */
export async function startRecordingStub(): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, method: req.method, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON-RPC POST to an MCP endpoint, the way the reference harness sends it (no initialize). */
export async function mcpRpc(url: string, method: string, params: unknown, id = 1): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`MCP ${method} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}
