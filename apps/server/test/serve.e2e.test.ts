/**
 * End to end: the real CLI (`node apps/server/bin/naftiko-ts.mjs serve`) against the BigCommerce
 * emulator, on free ports of 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { DEV_CLIENT_ID, DEV_STORE_HASH, SCOPE_IMPERSONATION, startEmulator } from '@naftiko-ts/bigcommerce-emulator';
import type { Emulator } from '@naftiko-ts/bigcommerce-emulator';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mcpRpc, SEED_NS, spawnCli } from './helpers.js';

// A long random API key: any occurrence in the server's output is a leak.
const API_KEY = `key-${randomBytes(16).toString('hex')}`;
const TOKEN_PATH = '/v1/storefront/api-token-customer-impersonation';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    tokens: [{ token: API_KEY, storeHash: DEV_STORE_HASH, clientId: DEV_CLIENT_ID, scopes: [SCOPE_IMPERSONATION] }],
  });
});
afterAll(async () => {
  await emulator?.close();
});

function seedArgs(extra: string[] = []): string[] {
  return [
    'serve',
    '--base-uri',
    `${SEED_NS}=${emulator.url}/stores/{store_hash}/v3`,
    '--rest-port',
    '0',
    '--mcp-port',
    '0',
    ...extra,
  ];
}

describe('naftiko-ts serve (seed against the emulator)', { timeout: 120_000 }, () => {
  it('serves REST and MCP, redacts the API key, and drains an in-flight request on SIGTERM', async () => {
    const cli = spawnCli(seedArgs(['--log-level', 'debug']), { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: API_KEY });
    try {
      const { rest, mcp } = await cli.ready();
      expect(rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(mcp).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(rest).not.toMatch(/:0$/);
      expect(cli.stderr()).toContain(`  POST ${TOKEN_PATH}`);
      expect(cli.stderr()).toContain('  tool bigcommerce-create-token');

      // REST: mint a token.
      const expiresAt = 2147483647;
      const res = await fetch(`${rest}${TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel_ids: [1], expires_at: expiresAt }),
      });
      expect(res.status).toBe(200);
      const minted = (await res.json()) as { data: { token: string } };
      expect(minted.data.token.split('.')).toHaveLength(3);
      const upstream = emulator.requests.at(-1)!;
      expect(upstream.path).toBe(`/stores/${DEV_STORE_HASH}/v3/storefront/api-token-customer-impersonation`);
      expect(upstream.headers['x-auth-token']).toBe(API_KEY);

      // MCP with the official client (initialize, then tools/call).
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(mcp!)));
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(['bigcommerce-create-token']);
      const result = await client.callTool({ name: 'bigcommerce-create-token', arguments: { body: { channel_ids: [1], expires_at: expiresAt } } });
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { data: { token: string } }).data.token.split('.')).toHaveLength(3);
      // An upstream 422 reaches the agent as isError with the upstream explanation.
      const bad = await client.callTool({ name: 'bigcommerce-create-token', arguments: { body: { channel_ids: [1] } } });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toContain('expires_at');
      await client.close();

      // A bare JSON-RPC tools/list, as the reference harness sends it.
      const listed = await mcpRpc(mcp!, 'tools/list', {});
      expect(listed.result.tools[0].name).toBe('bigcommerce-create-token');

      // SIGTERM while a request is in flight: the request completes, then the process exits 0.
      emulator.injectFault({ kind: 'latency', ms: 1500, times: 1, match: { path: 'api-token-customer-impersonation' } });
      const before = emulator.requests.length;
      const dispatcher = new Agent();
      const inflight = undiciFetch(`${rest}${TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel_ids: [1], expires_at: expiresAt }),
        dispatcher,
      });
      await vi.waitFor(() => expect(emulator.requests.length).toBeGreaterThan(before), { timeout: 10_000, interval: 20 });
      cli.child.kill('SIGTERM');
      const drained = await inflight;
      expect(drained.status).toBe(200);
      expect(((await drained.json()) as { data: { token: string } }).data.token).toBeTruthy();
      await dispatcher.close();
      const exit = await cli.exit;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(cli.stderr()).toContain('shutting down');
      // The API key never appears in anything the server printed, even at debug level.
      expect(cli.stderr()).not.toContain(API_KEY);
      expect(cli.stdout()).not.toContain(API_KEY);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('a SIGTERM sent the moment the ready lines appear is handled (exit 0, not killed by the signal)', async () => {
    const cli = spawnCli(seedArgs(), { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: API_KEY });
    try {
      await cli.ready();
      cli.child.kill('SIGTERM');
      expect(await cli.exit).toEqual({ code: 0, signal: null });
      expect(cli.stderr()).toContain('stopped');
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('missing BIGCOMMERCE_API_KEY and STORE_HASH: exit 2 naming both, nothing listening', async () => {
    const cli = spawnCli(['serve', '--rest-port', '0', '--mcp-port', '0'], {});
    const exit = await cli.exit;
    expect(exit.code).toBe(2);
    expect(cli.stderr()).toContain('BIGCOMMERCE_API_KEY');
    expect(cli.stderr()).toMatch(/STORE_HASH|store_hash/);
    expect(cli.stderr()).not.toContain('listening on');
  });

  it('a port in use: exit 2 with a clear message', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const cli = spawnCli(seedArgs(['--mcp-port', String(port)]), { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: API_KEY });
      const exit = await cli.exit;
      expect(exit.code).toBe(2);
      expect(cli.stderr()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(cli.stderr()).toContain('--mcp-port');
      expect(cli.stderr()).not.toContain('MCP listening on');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('--stdio: MCP on stdin/stdout with nothing else on stdout, logs on stderr; secrets from --env-file', async () => {
    const envFile = path.join(mkdtempSync(path.join(tmpdir(), 'naftiko-e2e-')), '.env');
    writeFileSync(envFile, `# dev settings\nSTORE_HASH=${DEV_STORE_HASH}\nBIGCOMMERCE_API_KEY="${API_KEY}"\n`);
    const cli = spawnCli(['serve', '--stdio', '--env-file', envFile, '--base-uri', `${SEED_NS}=${emulator.url}/stores/{store_hash}/v3`]);
    try {
      await vi.waitFor(() => expect(cli.stderr()).toContain('MCP serving on stdio: 1 tool(s)'), { timeout: 20_000, interval: 20 });
      const send = (msg: object) => cli.child.stdin.write(`${JSON.stringify(msg)}\n`);
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
      });
      await vi.waitFor(() => expect(cli.stdout()).toContain('"id":1'), { timeout: 10_000, interval: 20 });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'bigcommerce-create-token', arguments: { body: { channel_ids: [1], expires_at: 2147483647 } } } });
      await vi.waitFor(() => expect(cli.stdout()).toContain('"id":2'), { timeout: 10_000, interval: 20 });
      const lines = cli.stdout().trim().split('\n').map((l) => JSON.parse(l) as { jsonrpc: string; id?: number; result?: any });
      for (const l of lines) expect(l.jsonrpc).toBe('2.0');
      const call = lines.find((l) => l.id === 2)!;
      expect(call.result.isError).toBeFalsy();
      expect(call.result.structuredContent.data.token).toBeTruthy();
      expect(cli.stderr()).not.toContain('REST listening');
      cli.child.kill('SIGTERM');
      expect((await cli.exit).code).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
