#!/usr/bin/env node
// Mint a BigCommerce customer impersonation token through MCP, then use it on the GraphQL
// Storefront API as customer 1. Everything runs locally: the BigCommerce emulator stands in for
// api.bigcommerce.com and the store's /graphql endpoint. Verifies itself: exit 0 on success.
//
//   pnpm build && node examples/mint-and-use-token/run.mjs
//
// In your own project the imports are plain:
//   import { startServer } from '@naftiko-ts/server';
//   import { startEmulator } from '@naftiko-ts/bigcommerce-emulator';
//   import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// This example is not a workspace package: resolve the packages the server app depends on.
const fromServer = createRequire(new URL('../../apps/server/package.json', import.meta.url));
async function load(name) {
  const dir = fromServer.resolve.paths(name).map((d) => path.join(d, name)).find((d) => existsSync(path.join(d, 'package.json')));
  if (!dir) throw new Error(`${name} is not installed: run pnpm install && pnpm build`);
  const entry = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).exports['.'].import;
  return import(pathToFileURL(path.join(dir, typeof entry === 'string' ? entry : entry.default)).href);
}
const { startServer, createLogger } = await load('@naftiko-ts/server');
const { startEmulator, DEV_STORE_HASH, DEV_ACCESS_TOKEN } = await load('@naftiko-ts/bigcommerce-emulator');
const { Client, StreamableHTTPClientTransport } = await load('@modelcontextprotocol/client');

const log = (line) => process.stderr.write(`${line}\n`);
const fail = (message) => {
  throw new Error(message);
};

const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
let server;
let client;
try {
  // 1. The seed capability, served on free ports, its consumes block pointed at the emulator.
  server = await startServer({
    baseUris: { 'storefront-token-customer-impersonation-token': `${emulator.url}/stores/{store_hash}/v3` },
    env: { STORE_HASH: DEV_STORE_HASH, BIGCOMMERCE_API_KEY: DEV_ACCESS_TOKEN },
    restPort: 0,
    mcpPort: 0,
    logger: createLogger({ level: 'error', pretty: false }).logger,
  });
  const mcpUrl = server.listeners.find((l) => l.kind === 'mcp').url;
  log(`server MCP endpoint: ${mcpUrl}`);

  // 2. Mint a token with the MCP tool, as an agent would.
  client = new Client({ name: 'mint-and-use-token', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const result = await client.callTool({
    name: 'bigcommerce-create-token',
    arguments: { body: { channel_ids: [1], expires_at: expiresAt } },
  });
  if (result.isError) fail(`tool call failed: ${JSON.stringify(result.content)}`);
  const token = result.structuredContent?.data?.token;
  if (typeof token !== 'string' || token.split('.').length !== 3) fail(`no JWT in ${JSON.stringify(result)}`);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  if (claims.token_type !== 2 || claims.eat !== expiresAt) fail(`unexpected claims ${JSON.stringify(claims)}`);
  log(`minted a customer impersonation token over MCP (token_type ${claims.token_type}, expires ${claims.eat})`);

  // 3. Use it server-to-server on the GraphQL Storefront API, impersonating customer 1.
  const response = await fetch(`${emulator.url}/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      'X-Bc-Store-Hash': DEV_STORE_HASH,
      'X-Bc-Customer-Id': '1',
    },
    body: JSON.stringify({ query: 'query CustomerInformation { customer { firstName lastName email } }' }),
  });
  const graphql = await response.json();
  const customer = graphql?.data?.customer;
  if (response.status !== 200 || customer?.firstName !== 'Ada' || customer?.lastName !== 'Lovelace') {
    fail(`GraphQL answered ${response.status} ${JSON.stringify(graphql)}`);
  }
  log(`GraphQL as customer 1: ${customer.firstName} ${customer.lastName} <${customer.email}>`);
  log('ok');
} catch (error) {
  log(`FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  await client?.close().catch(() => {});
  await server?.close();
  await emulator.close();
}
