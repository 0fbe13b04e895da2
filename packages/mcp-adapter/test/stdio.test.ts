/**
 * `serveMcpStdio` driven by real client processes: the SDK's stdio client transports spawn
 * `test/fixtures/stdio-server.mjs` (which imports the built `dist/`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { DEV_ACCESS_TOKEN, DEV_STORE_HASH, startEmulator, verifyToken, type Emulator } from '@naftiko-ts/bigcommerce-emulator';
import { SEED, SEED_TOOL, hasSeed, here } from './helpers.js';

const SCRIPT = path.join(here, 'fixtures/stdio-server.mjs');
const built = fs.existsSync(path.join(here, '../dist/index.js'));
if (!built) console.warn('packages/mcp-adapter/dist not built: stdio tests skipped (run `pnpm --filter @naftiko-ts/mcp-adapter build`)');

describe.skipIf(!hasSeed || !built)('stdio transport', { timeout: 120_000 }, () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const params = () => ({
    command: process.execPath,
    args: [SCRIPT],
    env: {
      PATH: process.env['PATH'] ?? '',
      CAPABILITY_FILE: SEED,
      EMULATOR_URL: emulator.url,
      STORE_HASH: DEV_STORE_HASH,
      UPSTREAM_KEY: DEV_ACCESS_TOKEN,
    },
    stderr: 'pipe' as const,
  });

  async function exercise(client: {
    listTools(): Promise<{ tools: Array<{ name: string }> }>;
    callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<Record<string, unknown>>;
  }) {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([SEED_TOOL]);
    const r = await client.callTool({ name: SEED_TOOL, arguments: { body: { expires_at: 2147483647, channel_ids: [1] } } });
    const token = (r['structuredContent'] as { data: { token: string } }).data.token;
    expect(verifyToken(token, emulator.publicKey)).toBe(true);
    const bad = await client.callTool({ name: SEED_TOOL, arguments: { body: { channel_ids: [1] } } });
    expect(bad['isError']).toBe(true);
    expect(JSON.stringify(bad['content'])).toContain('expires_at');
  }

  function collect(stream: NodeJS.ReadableStream | null | undefined): () => string {
    let text = '';
    stream?.on('data', (c: Buffer) => (text += c.toString('utf8')));
    return () => text;
  }

  it('serves the current client (initialize handshake), logs on stderr only', async () => {
    const transport = new StdioClientTransport(params());
    const stderr = collect(transport.stderr as PassThrough | null);
    const client = new Client({ name: 'stdio-test', version: '1' });
    await client.connect(transport);
    try {
      await exercise(client as never);
    } finally {
      await client.close();
    }
    expect(stderr()).toContain('MCP server listening on stdio');
    expect(stderr()).not.toContain(DEV_ACCESS_TOKEN);
  });

  it('serves the current client on the 2026-07-28 revision', async () => {
    const client = new Client({ name: 'stdio-test', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StdioClientTransport(params()));
    try {
      await exercise(client as never);
    } finally {
      await client.close();
    }
  });

  it('serves the 1.x client', async () => {
    const client = new Client1({ name: 'stdio-test', version: '1' });
    await client.connect(new Stdio1(params()));
    try {
      await exercise(client as never);
    } finally {
      await client.close();
    }
  });
});
