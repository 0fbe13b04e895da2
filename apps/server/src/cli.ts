/**
 * The `naftiko-ts` command line. Humans read stderr; stdout carries machine output only
 * (validate diagnostics, openapi JSON, MCP over stdio). Exit codes: 0 ok, 1 errors found,
 * 2 bad usage or a server that could not start.
 */
import { readFileSync } from 'node:fs';
import { formatDiagnostic } from '@naftiko-ts/spec';
import type { Diagnostic, RestAdapter } from '@naftiko-ts/spec';
import { parseOpenApiArgs, parseServeArgs, parseValidateArgs } from './args.js';
import { mergeEnv, readEnvFile } from './env-file.js';
import { ServerError } from './errors.js';
import { expandPaths, loadFile, SEED_CAPABILITY_FILE } from './load.js';
import { createLogger } from './logger.js';
import type { ServerHandle } from './server.js';

export const USAGE = `Usage: naftiko-ts <command> [options]

Commands:
  serve [FILE|DIR...]           Serve capabilities as REST and MCP (no path: the embedded seed)
  validate FILE|DIR...          Check capability files and print diagnostics
  openapi [FILE]                Print the REST adapter's OpenAPI 3.1 document (JSON)

serve options:
  --var NAME=VALUE              baseUri variable (repeatable), e.g. --var store_hash=abc123
  --base-uri NAMESPACE=URL      replace a consumes block's baseUri (repeatable; sandbox, proxy, emulator)
  --host ADDRESS                bind address (default 127.0.0.1)
  --rest-port PORT              REST port for every REST adapter (0 picks a free port)
  --mcp-port PORT               MCP port for every MCP adapter (0 picks a free port)
  --env-file FILE               read variables and secrets from a dotenv file (the environment wins)
  --stdio                       serve MCP on stdin/stdout (REST only with --rest-port)
  --log-level LEVEL             fatal|error|warn|info|debug|trace|silent (default info)
  --strict                      refuse files that break the official alpha2 schema
  --on-conflict fail|rename     routes/tools colliding across files: refuse (default) or rename later ones

validate options:
  --strict                      check against the official alpha2 schema
  --format text|json            output format (default text)

Exit codes: 0 ok · 1 errors found (validate, openapi) · 2 bad usage or the server could not start
`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr });

function printError(io: Io, error: unknown): void {
  if (ServerError.isInstance(error)) {
    io.stderr.write(`naftiko-ts: ${error.message}\n`);
    for (const d of error.details) io.stderr.write(`  - ${d}\n`);
  } else {
    io.stderr.write(`naftiko-ts: ${(error as Error)?.message ?? String(error)}\n`);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, io);
      case 'validate':
        return validateCommand(rest, io);
      case 'openapi':
        return await openapiCommand(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return 0;
      case '--version':
      case '-v':
        io.stdout.write(`${version()}\n`);
        return 0;
      case undefined:
        io.stderr.write(USAGE);
        return 2;
      default:
        io.stderr.write(`naftiko-ts: unknown command \`${command}\`\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    printError(io, error);
    return 2;
  }
}

function diagnosticJson(file: string, d: Diagnostic): Record<string, unknown> {
  return { file, ...(d as unknown as Record<string, unknown>) };
}

export function validateCommand(args: string[], io: Io = defaultIo()): number {
  const options = parseValidateArgs(args);
  const files = expandPaths(options.paths);
  let errors = 0;
  let warnings = 0;
  let failedFiles = 0;
  const json: Array<Record<string, unknown>> = [];
  for (const file of files) {
    const loaded = loadFile(file, { strict: options.strict });
    if (loaded.errors) failedFiles++;
    for (const d of loaded.diagnostics) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      if (options.format === 'json') json.push(diagnosticJson(file, d));
      else io.stdout.write(`${formatDiagnostic(d)}\n`);
    }
  }
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  io.stderr.write(
    `${files.length} file(s) checked${options.strict ? ' (strict)' : ''}: ${errors} error(s) in ${failedFiles} file(s), ${warnings} warning(s)\n`,
  );
  return errors > 0 ? 1 : 0;
}

export async function openapiCommand(args: string[], io: Io = defaultIo()): Promise<number> {
  const options = parseOpenApiArgs(args);
  const file = options.file === '' ? SEED_CAPABILITY_FILE : options.file;
  expandPaths([file]);
  const loaded = loadFile(file, { strict: options.strict });
  if (loaded.errors || !loaded.capability) {
    for (const d of loaded.diagnostics) if (d.severity === 'error') io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stderr.write(`naftiko-ts: ${file} has errors; no OpenAPI document produced\n`);
    return 1;
  }
  const capability = loaded.capability;
  const adapters = capability.exposes
    .filter((a): a is RestAdapter => a.type === 'rest')
    .map((adapter) => ({ capability, adapter }));
  if (adapters.length === 0) {
    io.stderr.write(`naftiko-ts: ${file} exposes no REST adapter\n`);
    return 1;
  }
  // Loaded on demand: `validate` should not pay for fastify.
  const { buildOpenApi } = await import('@naftiko-ts/rest-adapter');
  const doc = buildOpenApi(adapters);
  io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}

const MAX_LISTED = 50;

export function readyLines(handle: ServerHandle): string[] {
  const lines: string[] = [];
  for (const l of handle.listeners) {
    const label = l.kind === 'rest' ? 'REST' : 'MCP';
    lines.push(`${label} listening on ${l.url}`);
    const shown = l.serves.slice(0, MAX_LISTED);
    for (const s of shown) lines.push(l.kind === 'rest' ? `  ${s}` : `  tool ${s}`);
    if (l.serves.length > shown.length) {
      lines.push(
        `  … and ${l.serves.length - shown.length} more ${l.kind === 'rest' ? 'routes (GET /openapi.json lists them all)' : 'tools (tools/list lists them all)'}`,
      );
    }
  }
  if (handle.stdioTools.length > 0) {
    lines.push(`MCP serving on stdio: ${handle.stdioTools.length} tool(s)`);
  }
  return lines;
}

/** Resolves with the first SIGTERM/SIGINT; a second one exits at once. Installed before start-up. */
function waitForSignal(io: Io): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (s: NodeJS.Signals) => void = () => {};
  const force = () => {
    io.stderr.write('naftiko-ts: forced exit\n');
    process.exit(1);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (s) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', force);
      process.once('SIGINT', force);
      resolve(s);
    };
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', force);
      process.off('SIGINT', force);
    },
  };
}

async function serveCommand(args: string[], io: Io): Promise<number> {
  const options = parseServeArgs(args);
  const env = options.envFile ? mergeEnv(readEnvFile(options.envFile), process.env) : process.env;
  const { logger, redactor } = createLogger({ level: options.logLevel });
  // Listen for signals before anything opens: a SIGTERM racing the ready lines must still drain.
  const signals = waitForSignal(io);
  let handle: ServerHandle;
  try {
    const { startServer } = await import('./server.js');
    handle = await startServer({
      paths: options.paths,
      vars: options.vars,
      baseUris: options.baseUris,
      env,
      strict: options.strict,
      onConflict: options.onConflict,
      stdio: options.stdio,
      logger,
      redactor,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.restPort !== undefined ? { restPort: options.restPort } : {}),
      ...(options.mcpPort !== undefined ? { mcpPort: options.mcpPort } : {}),
    });
  } catch (error) {
    signals.dispose();
    throw error;
  }
  io.stderr.write(`${readyLines(handle).join('\n')}\n`);

  const signal = await signals.signal;
  logger.info({ signal }, 'shutting down: finishing in-flight requests');
  await handle.close();
  logger.info({}, 'stopped');
  if (options.stdio) process.stdin.pause();
  // Anything still holding the event loop (a client keeping stdin open) must not block the exit.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}
