// Our engine serving the seed (or the whole BigCommerce corpus with --all), in one process.
//
//   node engine.mjs --rest|--mcp [--all] [--via server|adapter]
//
// --via server (default when @naftiko-ts/server is built): `startServer()` exactly as
//   `naftiko-ts serve` runs it (REST and MCP listeners, ports 0, `--base-uri` at the stand-in),
//   with the logger silenced (the reference passthrough logs nothing either).
// --via adapter: `createConsumer` + `createRestApp` / `createMcpApp` directly (one listener).
// The listener that is measured (--rest or --mcp) is announced as `http`.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  API_KEY,
  CORPUS_DIR,
  SEED_NAMESPACE,
  SEED_TOOL,
  STORE_HASH,
  REST_PATH,
  seedFile,
  upstreamBaseUri,
} from '../lib/fixtures.mjs';
import { announce, fail, onShutdown, upstreamOrigin } from './child.mjs';

const { values } = parseArgs({
  options: {
    rest: { type: 'boolean' },
    mcp: { type: 'boolean' },
    all: { type: 'boolean' },
    via: { type: 'string' },
  },
});
const kind = values.mcp ? 'mcp' : 'rest';
const origin = upstreamOrigin();

// Deployment variables every corpus file may need; only the seed's namespace is ever called.
const vars = { store_hash: STORE_HASH, store_domain: '127.0.0.1', app_domain: '127.0.0.1' };
const env = { ...process.env, BIGCOMMERCE_API_KEY: API_KEY };
const baseUris = { [SEED_NAMESPACE]: upstreamBaseUri(origin) };

/** The files to serve: the seed first (so that it keeps its route and tool names), then the corpus. */
function files() {
  const seed = seedFile();
  if (!seed) throw new Error('seed capability not found');
  if (!values.all) return [seed];
  const seedName = path.basename(seed);
  const rest = fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => /\.ya?ml$/.test(f) && f !== seedName)
    .sort()
    .map((f) => path.join(CORPUS_DIR, f));
  const inCorpus = path.join(CORPUS_DIR, seedName);
  return [fs.existsSync(inCorpus) ? inCorpus : seed, ...rest];
}

function silentLogger() {
  const noop = () => {};
  const l = { level: 'silent', debug: noop, info: noop, warn: noop, error: noop, fatal: noop, trace: noop };
  l.child = () => l;
  return l;
}

async function viaServer() {
  const server = await import('@naftiko-ts/server');
  const logger = server.createLogger ? server.createLogger({ level: 'silent', pretty: false }).logger : silentLogger();
  const handle = await server.startServer({
    paths: files(),
    vars,
    env,
    baseUris,
    restPort: 0,
    mcpPort: 0,
    onConflict: 'rename',
    logger,
  });
  const listener = handle.listeners.find((l) => l.kind === kind);
  if (!listener) throw new Error(`startServer opened no ${kind} listener`);
  const extra = {};
  if (kind === 'rest' && !listener.serves.some((s) => s.endsWith(` ${REST_PATH}`))) {
    const renamed = listener.serves.find((s) => s.startsWith('POST ') && s.endsWith(REST_PATH));
    if (!renamed) throw new Error(`the seed route POST ${REST_PATH} is not served`);
    extra.path = renamed.slice('POST '.length);
  }
  if (kind === 'mcp' && !listener.serves.includes(SEED_TOOL)) throw new Error(`the seed tool ${SEED_TOOL} is not served`);
  return {
    ports: { http: listener.port, [kind]: listener.port },
    ...extra,
    files: handle.files.length,
    renames: handle.renames.length,
    close: () => handle.close(),
  };
}

async function viaAdapter() {
  const { parseCapability } = await import('@naftiko-ts/spec');
  const { createConsumer } = await import('@naftiko-ts/consumer');
  const factory =
    kind === 'rest'
      ? (await import('@naftiko-ts/rest-adapter')).createRestApp
      : (await import('@naftiko-ts/mcp-adapter')).createMcpApp;
  const adapters = [];
  const consumers = [];
  const taken = new Set();
  let skipped = 0;
  for (const file of files()) {
    const parsed = parseCapability(fs.readFileSync(file, 'utf8'), { source: file });
    const capability = parsed.capability ?? parsed.model ?? parsed;
    if (!capability || !capability.exposes) throw new Error(`${file}: did not parse`);
    const consumer = createConsumer({
      capability,
      vars,
      env,
      baseUriOverrides: Object.fromEntries(
        capability.consumes.filter((c) => baseUris[c.namespace]).map((c) => [c.namespace, baseUris[c.namespace]]),
      ),
    });
    consumer.assertReady();
    consumers.push(consumer);
    for (const adapter of capability.exposes) {
      if (adapter.type !== kind) continue;
      // Without the server's conflict renaming, the first adapter (the seed) keeps a name and a
      // later adapter that would serve the same route / tool is left out.
      const keys =
        kind === 'rest'
          ? adapter.routes.map((r) => `${r.method} ${r.path.parts.map((p) => (p.kind === 'text' ? p.text : '{}')).join('')}`)
          : adapter.tools.map((t) => t.name);
      if (keys.some((k) => taken.has(k))) {
        skipped++;
        continue;
      }
      for (const k of keys) taken.add(k);
      adapters.push({ capability, adapter, consumer });
    }
  }
  // REST takes fastify's `logger: false`; the MCP app's default logger is silent.
  const app = await factory(kind === 'rest' ? { adapters, logger: false } : { adapters, host: '127.0.0.1' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ports: { http: app.server.address().port },
    files: consumers.length,
    adapters: adapters.length,
    skippedForConflicts: skipped,
    close: async () => {
      await app.close();
      await Promise.all(consumers.map((c) => c.close()));
    },
  };
}

try {
  let via = values.via;
  if (!via) {
    try {
      await import('@naftiko-ts/server');
      via = 'server';
    } catch {
      via = 'adapter';
    }
  }
  const served = via === 'server' ? await viaServer() : await viaAdapter();
  const { close, ports, ...info } = served;
  onShutdown(close);
  announce(ports, { ...info, via });
} catch (err) {
  fail(err);
}
