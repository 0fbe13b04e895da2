/**
 * End to end over real sockets: the seed capability served by `createMcpApp`, the real consumer,
 * the BigCommerce emulator upstream, and both official clients (current v2 and 1.x).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as Transport1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createConsumer } from '@naftiko-ts/consumer';
import type { Consumer } from '@naftiko-ts/consumer';
import { DEV_ACCESS_TOKEN, DEV_STORE_HASH, startEmulator, verifyToken, decodeJwt, type Emulator } from '@naftiko-ts/bigcommerce-emulator';
import { createMcpApp } from '../src/index.js';
import { SEED, SEED_NS, SEED_TOOL, hasSeed, loadCapability, post } from './helpers.js';

const WRONG_KEY = 'wrong-key-7f3a9c2e1b';

type AnyClient = {
  listTools(): Promise<{ tools: Array<Record<string, unknown>> }>;
  callTool(p: { name: string; arguments?: Record<string, unknown> }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
};

describe.skipIf(!hasSeed)('seed tool against the BigCommerce emulator', () => {
  let emulator: Emulator;
  let app: FastifyInstance;
  let badApp: FastifyInstance;
  let consumers: Consumer[] = [];
  let url: URL;
  let badUrl: URL;

  async function serve(apiKey: string): Promise<[FastifyInstance, URL]> {
    const capability = loadCapability(SEED);
    const consumer = createConsumer({
      capability,
      env: { BIGCOMMERCE_API_KEY: apiKey },
      vars: { store_hash: DEV_STORE_HASH },
      baseUriOverrides: { [SEED_NS]: `${emulator.url}/stores/{store_hash}/v3` },
      retry: { max: 0 },
    });
    consumers.push(consumer);
    const a = await createMcpApp({ capability, consumer });
    await a.listen({ port: 0, host: '127.0.0.1' });
    return [a, new URL(`http://127.0.0.1:${(a.server.address() as AddressInfo).port}/mcp`)];
  }

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
    [app, url] = await serve(DEV_ACCESS_TOKEN);
    [badApp, badUrl] = await serve(WRONG_KEY);
  });

  afterAll(async () => {
    await app?.close();
    await badApp?.close();
    for (const c of consumers) await c.close();
    await emulator?.close();
  });

  const clients: Array<[string, (u: URL) => Promise<AnyClient>]> = [
    [
      'current client, 2026-07-28 (server/discover)',
      async (u) => {
        const c = new Client({ name: 'test', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
        await c.connect(new StreamableHTTPClientTransport(u));
        return c as unknown as AnyClient;
      },
    ],
    [
      'current client, initialize handshake',
      async (u) => {
        const c = new Client({ name: 'test', version: '1' });
        await c.connect(new StreamableHTTPClientTransport(u));
        return c as unknown as AnyClient;
      },
    ],
    [
      '1.x client',
      async (u) => {
        const c = new Client1({ name: 'test', version: '1' });
        await c.connect(new Transport1(u));
        return c as unknown as AnyClient;
      },
    ],
  ];

  const expiresAt = 2147483647;

  describe.each(clients)('%s', (_label, connect) => {
    it('lists the seed tool with its inferred schema, title and annotations', async () => {
      const c = await connect(url);
      try {
        const { tools } = await c.listTools();
        expect(tools).toHaveLength(1);
        const tool = tools[0]!;
        expect(tool['name']).toBe(SEED_TOOL);
        expect(tool['description']).toBe('BigCommerce Create a Token');
        expect(tool['inputSchema']).toEqual({
          type: 'object',
          properties: { body: { type: 'object', description: 'Request body (JSON).' } },
          additionalProperties: false,
        });
        expect(tool['annotations']).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
      } finally {
        await c.close();
      }
    });

    it('calls the seed tool and returns a JWT the emulator signed', async () => {
      const c = await connect(url);
      try {
        const r = await c.callTool({ name: SEED_TOOL, arguments: { body: { expires_at: expiresAt, channel_ids: [1] } } });
        expect(r['isError']).toBeFalsy();
        const structured = r['structuredContent'] as { data: { token: string } };
        const token = structured.data.token;
        expect(verifyToken(token, emulator.publicKey)).toBe(true);
        const claims = decodeJwt(token).payload as Record<string, unknown>;
        expect(claims['eat']).toBe(expiresAt);
        expect(claims['token_type']).toBe(2);
        const content = r['content'] as Array<{ type: string; text: string }>;
        expect(JSON.parse(content[0]!.text)).toEqual(structured);
      } finally {
        await c.close();
      }
    });

    it('passes the emulator 422 detail back as isError when expires_at is missing', async () => {
      const c = await connect(url);
      try {
        const r = await c.callTool({ name: SEED_TOOL, arguments: { body: { channel_ids: [1] } } });
        expect(r['isError']).toBe(true);
        const text = (r['content'] as Array<{ text: string }>)[0]!.text;
        expect(text).toContain('422');
        expect(text).toContain('expires_at');
      } finally {
        await c.close();
      }
    });

    it('answers invalid arguments with a validation message naming the argument', async () => {
      const c = await connect(url);
      const before = emulator.requests.length;
      try {
        const r = await c.callTool({ name: SEED_TOOL, arguments: { body: 'not an object' } });
        expect(r['isError']).toBe(true);
        const text = (r['content'] as Array<{ text: string }>)[0]!.text;
        expect(text).toMatch(/Invalid arguments for tool bigcommerce-create-token/);
        expect(text).toContain('`body`');
        expect(emulator.requests.length).toBe(before);
      } finally {
        await c.close();
      }
    });

    it('reports a refused upstream key as isError naming the secret, never its value', async () => {
      const c = await connect(badUrl);
      try {
        const r = await c.callTool({ name: SEED_TOOL, arguments: { body: { expires_at: expiresAt, channel_ids: [1] } } });
        expect(r['isError']).toBe(true);
        const all = JSON.stringify(r);
        expect(all).toContain('401');
        expect(all).toContain('BIGCOMMERCE_API_KEY');
        expect(all).not.toContain(WRONG_KEY);
      } finally {
        await c.close();
      }
    });
  });

  it('answers a bare tools/call (no initialize, no Accept) with plain JSON, forwarding X-Request-Id', async () => {
    const r = await post(url.href, {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: SEED_TOOL, arguments: { body: { expires_at: expiresAt, channel_id: 1 } } },
    }, { 'x-request-id': 'req-abc-123' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const body = r.json as { id: number; result: { structuredContent: { data: { token: string } } } };
    expect(body.id).toBe(7);
    expect(verifyToken(body.result.structuredContent.data.token, emulator.publicKey)).toBe(true);
    expect(emulator.requests[emulator.requests.length - 1]!.headers['x-request-id']).toBe('req-abc-123');
  });
});
