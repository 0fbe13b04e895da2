#!/usr/bin/env node
// `pnpm dev`: the BigCommerce emulator on 4010 and the server with the seed pointed at it
// (REST 8080, MCP 9090). Rebuilds (turbo) and restarts when a capability file or a package
// source changes. Ctrl-C stops everything.
//
//   pnpm dev                       the embedded seed against the emulator
//   pnpm dev -- FILE|DIR [flags]   your own capabilities (flags are passed to `naftiko-ts serve`)
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const EMULATOR_PORT = Number(process.env.EMULATOR_PORT ?? 4010);
const REST_PORT = Number(process.env.REST_PORT ?? 8080);
const MCP_PORT = Number(process.env.MCP_PORT ?? 9090);
const SEED_NAMESPACE = 'storefront-token-customer-impersonation-token';
const userArgs = process.argv.slice(2).filter((a) => a !== '--');

const env = {
  ...process.env,
  STORE_HASH: process.env.STORE_HASH ?? 'dev-store',
  BIGCOMMERCE_API_KEY: process.env.BIGCOMMERCE_API_KEY ?? 'dev-token',
};

const serveArgs =
  userArgs.length > 0
    ? ['serve', ...userArgs]
    : [
        'serve',
        '--base-uri',
        `${SEED_NAMESPACE}=http://127.0.0.1:${EMULATOR_PORT}/stores/{store_hash}/v3`,
        '--rest-port',
        String(REST_PORT),
        '--mcp-port',
        String(MCP_PORT),
      ];

const say = (line) => process.stderr.write(`[dev] ${line}\n`);
let emulator;
let server;
let stopping = false;

function waitForPort(port, child) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`emulator exited with ${child.exitCode}`));
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function exited(child) {
  return child && child.exitCode === null && child.signalCode === null
    ? new Promise((resolve) => child.once('exit', resolve))
    : Promise.resolve();
}

async function stopChildren() {
  const children = [server, emulator];
  server = undefined;
  emulator = undefined;
  const waits = [];
  for (const child of children) {
    if (child && child.exitCode === null && child.signalCode === null) {
      waits.push(exited(child));
      child.kill('SIGTERM');
    }
  }
  await Promise.all(waits);
}

function printHelp() {
  const url = `http://127.0.0.1:${REST_PORT}`;
  const expires = Math.floor(Date.now() / 1000) + 86400;
  say('ready. Mint a customer impersonation token over REST:');
  process.stderr.write(
    `\n  curl -s -X POST ${url}/v1/storefront/api-token-customer-impersonation \\\n` +
      `    -H 'Content-Type: application/json' \\\n` +
      `    -d '{"channel_ids":[1],"expires_at":${expires}}'\n\n`,
  );
  say(`MCP (Streamable HTTP): http://127.0.0.1:${MCP_PORT}/mcp  (tool: bigcommerce-create-token)`);
  say(`  npx @modelcontextprotocol/inspector --cli http://127.0.0.1:${MCP_PORT}/mcp --transport http --method tools/list`);
  say('watching capabilities and package sources; Ctrl-C stops');
}

async function startChildren() {
  emulator = spawn(
    process.execPath,
    [path.join(root, 'packages/bigcommerce-emulator/bin/bigcommerce-emulator.mjs'), '--port', String(EMULATOR_PORT)],
    // Own process groups: a terminal's Ctrl-C reaches only this supervisor, which stops them in order.
    { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  await waitForPort(EMULATOR_PORT, emulator);
  say(`BigCommerce emulator on http://127.0.0.1:${EMULATOR_PORT} (store hash dev-store, API key dev-token)`);
  server = spawn(process.execPath, [path.join(root, 'apps/server/bin/naftiko-ts.mjs'), ...serveArgs], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
    detached: true,
  });
  const child = server;
  let announced = false;
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    if (!announced && userArgs.length === 0 && /MCP listening on/.test(String(chunk))) {
      announced = true;
      printHelp();
    }
  });
  child.once('exit', (code) => {
    if (!stopping && server === child) say(`server exited (${code}); fix the problem and save a file to restart`);
  });
}

let building;
function runBuild() {
  return new Promise((resolve) => {
    const child = (building = spawn('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@naftiko-ts/server...', '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
    }));
    child.once('exit', (code) => {
      building = undefined;
      resolve(code === 0);
    });
  });
}

let timer;
let restarting = Promise.resolve();
let needsBuild = false;
function scheduleRestart(reason, source) {
  needsBuild ||= source;
  clearTimeout(timer);
  timer = setTimeout(() => {
    const build = needsBuild;
    needsBuild = false;
    restarting = restarting.then(async () => {
      if (stopping) return;
      say(`change in ${reason}: ${build ? 'rebuilding and restarting' : 'restarting'}`);
      await stopChildren();
      // A capability file needs no build: only package sources do.
      if (build && !(await runBuild())) {
        say('build failed; waiting for the next change');
        return;
      }
      if (!stopping) await startChildren().catch((e) => say(e.message));
    });
  }, 300);
}

const watched = [
  path.join(root, 'apps/server/capabilities'),
  path.join(root, 'apps/server/src'),
  ...['spec', 'consumer', 'rest-adapter', 'mcp-adapter', 'bigcommerce-emulator'].map((p) => path.join(root, 'packages', p, 'src')),
  ...userArgs.filter((a) => !a.startsWith('-')).map((a) => path.resolve(a)),
];
for (const dir of watched) {
  try {
    watch(dir, { recursive: true }, (_event, file) => {
      if (file && !/\.(ts|ya?ml|json|mjs)$/.test(String(file))) return;
      const changed = path.join(dir, String(file ?? ''));
      scheduleRestart(path.relative(root, changed), !/\.ya?ml$/.test(changed));
    });
  } catch {
    // a path that does not exist (yet): nothing to watch
  }
}

async function shutdown() {
  if (stopping) process.exit(1);
  stopping = true;
  clearTimeout(timer);
  say('stopping');
  building?.kill('SIGINT');
  await stopChildren();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

await startChildren().catch(async (e) => {
  say(e.message);
  await stopChildren();
  process.exit(1);
});
