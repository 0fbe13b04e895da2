/**
 * A client that disconnects while a `tools/call` is in flight aborts the upstream request
 * (hot path, both protocol eras): the hanging upstream stub sees its request socket close.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createConsumer, type Consumer } from '@naftiko-ts/consumer';
import { createMcpApp } from '../src/index.js';
import { MODERN, SEED, SEED_NS, SEED_TOOL, hasSeed, loadCapability, modern } from './helpers.js';

if (!hasSeed) console.warn('seed capability not found: MCP abort tests skipped');

interface HangingStub {
  url: string;
  requests: number;
  closed: number;
  waiters: Array<() => void>;
  server: http.Server;
}

/** An upstream that reads each request and never answers; counts the request sockets that close. */
async function hangingStub(): Promise<HangingStub> {
  const stub: HangingStub = { url: '', requests: 0, closed: 0, waiters: [], server: http.createServer() };
  const notify = (): void => {
    for (const w of stub.waiters.splice(0)) w();
  };
  stub.server.on('request', (req: http.IncomingMessage) => {
    stub.requests += 1;
    req.resume();
    req.socket.once('close', () => {
      stub.closed += 1;
      notify();
    });
    notify();
  });
  await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`;
  return stub;
}

async function until(stub: HangingStub, predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise<void>((resolve) => stub.waiters.push(resolve));
}

/** POSTs `body` and destroys the client socket once the upstream has seen the call. */
function postThenDisconnect(port: number, body: unknown, headers: Record<string, string>, stub: HangingStub): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers: { 'content-type': 'application/json', ...headers } });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.on('close', () => resolve());
    req.end(JSON.stringify(body));
    const seen = stub.requests;
    void until(stub, () => stub.requests > seen).then(() => req.destroy());
  });
}

describe.skipIf(!hasSeed)('client disconnect aborts the upstream call', () => {
  let stub: HangingStub;
  let consumer: Consumer;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    stub = await hangingStub();
    const capability = loadCapability(SEED);
    consumer = createConsumer({
      capability,
      env: { BIGCOMMERCE_API_KEY: 'test-token-value' },
      vars: { store_hash: 'abc123' },
      baseUriOverrides: { [SEED_NS]: `${stub.url}/stores/{store_hash}/v3` },
      retry: { max: 0 },
      timeouts: { headers: 60_000, body: 60_000 },
    });
    app = await createMcpApp({ capability, consumer });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
    await consumer?.close();
    stub?.server.closeAllConnections();
    await new Promise<void>((resolve) => stub?.server.close(() => resolve()));
  });

  const args = { body: { expires_at: 4_102_444_800, channel_ids: [1] } };

  it('2025 era (hot path): the upstream request is closed', async () => {
    const closedBefore = stub.closed;
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: SEED_TOOL, arguments: args } };
    await postThenDisconnect(port, body, { 'mcp-protocol-version': '2025-06-18' }, stub);
    await until(stub, () => stub.closed > closedBefore);
    expect(stub.closed).toBeGreaterThan(closedBefore);
  });

  it('2026 era (hot path): the upstream request is closed', async () => {
    const closedBefore = stub.closed;
    const m = modern('tools/call', { name: SEED_TOOL, arguments: args });
    await postThenDisconnect(port, m.body, m.headers, stub);
    await until(stub, () => stub.closed > closedBefore);
    expect(stub.closed).toBeGreaterThan(closedBefore);
  });

  it('without the disconnect, the upstream request stays open (the test can fail)', async () => {
    const closedBefore = stub.closed;
    const requestsBefore = stub.requests;
    const controller = new AbortController();
    const body = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: SEED_TOOL, arguments: args } };
    const pending = fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify(body),
      signal: controller.signal,
    }).catch(() => undefined);
    await until(stub, () => stub.requests > requestsBefore);
    // The call is in flight upstream and the client is still connected: nothing closed yet.
    expect(stub.closed).toBe(closedBefore);
    controller.abort();
    await pending;
    await until(stub, () => stub.closed > closedBefore);
  });
});
