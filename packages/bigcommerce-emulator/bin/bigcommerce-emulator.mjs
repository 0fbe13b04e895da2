#!/usr/bin/env node
// bigcommerce-emulator --port 4010 [--host 127.0.0.1]
// Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start, 2 bad usage.
import { parseArgs } from 'node:util';
import { DEV_ACCESS_TOKEN, DEV_STORE_HASH, DEV_STOREFRONT_ONLY_TOKEN, startEmulator } from '../dist/index.js';

const usage = `Usage: bigcommerce-emulator [--port 4010] [--host 127.0.0.1] [--quota 150] [--window-ms 30000] [--legacy-cid]

A local BigCommerce for development: customer impersonation tokens, storefront tokens, revocation
and a GraphQL stand-in. Binds 127.0.0.1 unless --host says otherwise.`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      quota: { type: 'string' },
      'window-ms': { type: 'string' },
      'legacy-cid': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

function integer(name, text, min) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer of ${min} or more (got ${JSON.stringify(text)}).\n\n${usage}\n`);
    process.exit(2);
  }
  return n;
}

const port = integer('port', values.port, 0);
if (port > 65535) {
  process.stderr.write(`--port must be at most 65535.\n`);
  process.exit(2);
}
const quota = integer('quota', values.quota, 1);
const windowMs = integer('window-ms', values['window-ms'], 1);

let emulator;
try {
  emulator = await startEmulator({
    port,
    host: values.host,
    legacyCid: values['legacy-cid'],
    rateLimit: { ...(quota ? { quota } : {}), ...(windowMs ? { windowMs } : {}) },
  });
} catch (error) {
  process.stderr.write(`bigcommerce-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(
  `BigCommerce emulator listening on ${emulator.url}\n` +
    `  store hash:   ${DEV_STORE_HASH}\n` +
    `  access token: ${DEV_ACCESS_TOKEN} (X-Auth-Token; impersonation + storefront scopes)\n` +
    `  access token: ${DEV_STOREFRONT_ONLY_TOKEN} (storefront scope only: impersonation answers 403)\n` +
    `  try: curl -s -X POST ${emulator.url}/stores/${DEV_STORE_HASH}/v3/storefront/api-token-customer-impersonation \\\n` +
    `         -H 'X-Auth-Token: ${DEV_ACCESS_TOKEN}' -H 'Content-Type: application/json' \\\n` +
    `         -d '{"channel_ids":[1],"expires_at":2147483647}'\n`,
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await emulator.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
