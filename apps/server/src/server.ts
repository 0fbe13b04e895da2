/**
 * Start-up orchestration: load → plan listeners → consumers (all problems at once) → apps →
 * listen. Any failure closes whatever was opened before it throws: nothing is left half-started.
 */
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { createConsumer } from '@naftiko-ts/consumer';
import type { Consumer, ConsumerTimeouts, StartupProblem } from '@naftiko-ts/consumer';
import { createMcpApp, serveMcpStdio } from '@naftiko-ts/mcp-adapter';
import { createRestApp } from '@naftiko-ts/rest-adapter';
import { expressionRefs, formatDiagnostic } from '@naftiko-ts/spec';
import type { Authentication, Capability, Expr, McpAdapter, RestAdapter } from '@naftiko-ts/spec';
import type { Dispatcher } from 'undici';
import type { ConflictPolicy } from './args.js';
import { ServerError } from './errors.js';
import { loadCapabilities } from './load.js';
import type { LoadedFile } from './load.js';
import { createLogger, redactorOf, SecretRedactor } from './logger.js';
import type { Logger } from './logger.js';
import { planListeners } from './plan.js';
import type { AdapterEntry, ListenerPlan, Rename } from './plan.js';

export interface StartServerOptions {
  /** Capability files and directories; empty or absent → the embedded seed. */
  paths?: readonly string[];
  /** Already loaded files (instead of `paths`). */
  files?: readonly LoadedFile[];
  /** `baseUri` variables (`--var store_hash=abc`). */
  vars?: Record<string, string>;
  /** `namespace → URL` replacing a consumes block's `baseUri` (`--base-uri`). */
  baseUris?: Record<string, string>;
  /** Bind address for every listener. Default: the adapter's `address`, else `127.0.0.1`. */
  host?: string;
  restPort?: number;
  mcpPort?: number;
  /** Environment for variables and secrets. Default `process.env`. */
  env?: Record<string, string | undefined>;
  strict?: boolean;
  onConflict?: ConflictPolicy;
  /** Serve MCP over stdin/stdout instead of HTTP (REST only with an explicit `restPort`). */
  stdio?: boolean;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  logger?: Logger;
  /**
   * Receives every secret value the consumers and adapters resolve (value-based log redaction).
   * Default: the redactor of a `logger` made by `createLogger`, else a new one.
   */
  redactor?: SecretRedactor;
  /** Bounded wait for in-flight requests on close(), ms. Default 10000. */
  shutdownTimeoutMs?: number;
  /** Passed to every consumer (tests and benchmarks inject an undici dispatcher). */
  dispatcher?: Dispatcher;
  timeouts?: ConsumerTimeouts;
}

export interface ListenerInfo {
  kind: 'rest' | 'mcp';
  /** `http://HOST:PORT` for REST, `http://HOST:PORT/mcp` for MCP. */
  url: string;
  host: string;
  port: number;
  /** `METHOD /path` (REST) or tool names (MCP) served on this listener. */
  serves: string[];
  files: string[];
}

export interface ServerHandle {
  listeners: ListenerInfo[];
  /** Tool names served over stdin/stdout (empty unless stdio). */
  stdioTools: string[];
  files: string[];
  renames: Rename[];
  /** Start-up warnings (lenient-mode diagnostics count, public bind without auth…). */
  warnings: string[];
  /** Stops accepting, lets in-flight requests finish (bounded), closes upstream pools. Idempotent. */
  close(): Promise<void>;
}

interface ClosableApp {
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: { address(): AddressInfo | string | null; closeAllConnections?(): void };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function describeProblems(problems: ReadonlyArray<{ problem: StartupProblem; file: string }>): string[] {
  const grouped = new Map<string, { problem: StartupProblem; files: string[] }>();
  for (const { problem, file } of problems) {
    const key = `${problem.kind}\u0000${problem.name}\u0000${problem.hint}`;
    const g = grouped.get(key);
    if (g) g.files.push(file);
    else grouped.set(key, { problem, files: [file] });
  }
  return [...grouped.values()].map(({ problem, files }) => {
    const what =
      problem.kind === 'missing-secret'
        ? `missing secret \`${problem.name}\``
        : problem.kind === 'missing-variable'
          ? `missing variable \`${problem.name}\``
          : problem.kind === 'unreadable-bind-file'
            ? `unreadable bind file \`${problem.name}\``
            : `invalid baseUri \`${problem.name}\``;
    const where = files.length === 1 ? files[0] : `${files.length} files`;
    return `${what}: ${problem.hint} (needed by ${where})`;
  });
}

/** Resolves when `promise` settles or after `ms`, whichever comes first; true when it settled. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  const outcome = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  return outcome;
}

/** Stops accepting, waits for in-flight requests up to `ms`, then cuts the remaining connections. */
async function closeWithin(app: ClosableApp, ms: number): Promise<void> {
  const closing = app.close();
  if (!(await settleWithin(closing, ms))) {
    app.server.closeAllConnections?.();
    await closing.catch(() => undefined);
  }
}

export async function startServer(options: StartServerOptions = {}): Promise<ServerHandle> {
  const redactor =
    options.redactor ?? (options.logger ? redactorOf(options.logger) : undefined) ?? new SecretRedactor();
  const logger = options.logger ?? createLogger({ level: 'info', redactor }).logger;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const env = options.env ?? process.env;
  const warnings: string[] = [];

  // 1. Load. Errors stop here, with every error diagnostic printed.
  const files = options.files ?? loadCapabilities(options.paths ?? [], { strict: options.strict ?? false });
  const errorLines: string[] = [];
  let warningCount = 0;
  for (const f of files) {
    for (const d of f.diagnostics) {
      if (d.severity === 'error') errorLines.push(formatDiagnostic(d));
      else if (d.severity === 'warning') warningCount++;
    }
    if (!f.capability && !f.errors) errorLines.push(`${f.file}: not a capability document`);
  }
  if (errorLines.length > 0) {
    throw new ServerError('SERVER_DIAGNOSTICS', `${errorLines.length} error(s) in the capability files`, {
      details: errorLines,
    });
  }
  if (warningCount > 0) {
    warnings.push(`${warningCount} warning(s) in ${files.length} file(s); run \`naftiko-ts validate\` to see them`);
  }
  const loaded = files.map((f) => ({ file: f.file, capability: f.capability as Capability }));

  // 2. Plan listeners (collisions are refused before anything opens).
  const plan = planListeners(loaded, {
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.restPort !== undefined ? { restPort: options.restPort } : {}),
    ...(options.mcpPort !== undefined ? { mcpPort: options.mcpPort } : {}),
    stdio: options.stdio ?? false,
    onConflict: options.onConflict ?? 'fail',
  });
  if (plan.listeners.length === 0 && plan.stdio.length === 0) {
    throw new ServerError('SERVER_EMPTY', 'nothing to serve: no REST or MCP adapter in the capability files');
  }
  for (const r of plan.renames) {
    warnings.push(`${r.kind} \`${r.from}\` of ${r.file} served as \`${r.to}\` (\`${r.from}\` is ${r.keptBy}'s)`);
  }

  // 3. --base-uri namespaces must exist (a typo would silently call the real API).
  const namespaces = new Set(loaded.flatMap((f) => f.capability.consumes.map((c) => c.namespace)));
  const unknown = Object.keys(options.baseUris ?? {}).filter((ns) => !namespaces.has(ns));
  if (unknown.length > 0) {
    throw new ServerError('SERVER_USAGE', '--base-uri names a namespace no capability consumes', {
      details: unknown.map((ns) => `--base-uri ${ns}=…: no consumes block has namespace \`${ns}\` (known: ${[...namespaces].slice(0, 10).join(', ')}${namespaces.size > 10 ? ', …' : ''})`),
    });
  }

  // 4. Consumers: every missing variable / secret of every file, reported at once.
  const consumers = new Map<string, Consumer>();
  // Bounded: an upstream that never answers must not keep the process from stopping.
  const closeConsumers = async () => {
    await settleWithin(Promise.allSettled([...consumers.values()].map((c) => c.close())), shutdownTimeoutMs);
  };
  const problems: Array<{ problem: StartupProblem; file: string }> = [];
  try {
    for (const f of loaded) {
      const baseUriOverrides: Record<string, string> = {};
      for (const c of f.capability.consumes) {
        const url = options.baseUris?.[c.namespace];
        if (url !== undefined) baseUriOverrides[c.namespace] = url;
      }
      const consumer = createConsumer({
        capability: f.capability,
        vars: options.vars ?? {},
        env,
        baseUriOverrides,
        logger: logger.child({ capability: f.file }),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      });
      consumers.set(f.file, consumer);
      for (const problem of consumer.problems) problems.push({ problem, file: f.file });
    }
  } catch (cause) {
    await closeConsumers();
    throw new ServerError('SERVER_CONFIG', `cannot prepare the upstream calls: ${(cause as Error).message}`, { cause });
  }
  if (problems.length > 0) {
    await closeConsumers();
    throw new ServerError('SERVER_CONFIG', 'missing configuration', { details: describeProblems(problems) });
  }
  const secrets = [
    ...new Set([...[...consumers.values()].flatMap((c) => [...c.secretValues()]), ...exposedSecretValues(loaded, env)]),
  ];
  redactor.add(secrets);

  // 5. Build and open the listeners; on any failure close everything opened so far.
  let state: 'starting' | 'ready' | 'closing' | 'closed' = 'starting';
  const isReady = () => state === 'ready';
  const apps: ClosableApp[] = [];
  const listeners: ListenerInfo[] = [];
  let stdioHandle: { close(): Promise<void> | void } | undefined;
  const adaptersOf = (entries: AdapterEntry[]) =>
    entries.map((e) => ({ capability: e.capability, adapter: e.adapter, consumer: consumers.get(e.file)! }));

  const closeAll = async () => {
    await Promise.allSettled(apps.map((a) => closeWithin(a, shutdownTimeoutMs)));
    if (stdioHandle) await Promise.resolve(stdioHandle.close()).catch(() => undefined);
    await closeConsumers();
  };

  try {
    for (const listener of plan.listeners) {
      const app = await buildApp(listener, adaptersOf(listener.adapters), { logger, isReady, secrets, env, redactor });
      apps.push(app);
      try {
        await app.listen({ port: listener.port, host: listener.host });
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        const flag = listener.kind === 'rest' ? '--rest-port' : '--mcp-port';
        const reason =
          code === 'EADDRINUSE'
            ? `port ${listener.port} on ${listener.host} is already in use`
            : code === 'EACCES'
              ? `no permission to listen on port ${listener.port}`
              : code === 'EADDRNOTAVAIL'
                ? `address ${listener.host} is not available on this machine`
                : `cannot listen on ${listener.host}:${listener.port} (${code ?? (cause as Error).message})`;
        throw new ServerError('SERVER_LISTEN', `${reason}; pick another with ${flag} (0 picks a free port)`, { cause });
      }
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : listener.port;
      const base = `http://${urlHost(listener.host)}:${port}`;
      listeners.push({
        kind: listener.kind,
        url: listener.kind === 'rest' ? base : `${base}/mcp`,
        host: listener.host,
        port,
        serves: servesOf(listener),
        files: [...new Set(listener.adapters.map((a) => a.file))],
      });
    }
    if (plan.stdio.length > 0) {
      stdioHandle = await serveMcpStdio({
        adapters: adaptersOf(plan.stdio) as Array<{ capability: Capability; adapter: McpAdapter; consumer: Consumer }>,
        logger,
        secrets,
        stdin: (options.stdin ?? process.stdin) as Readable,
        stdout: (options.stdout ?? process.stdout) as Writable,
      });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  // 6. Public bind without exposed-side authentication: allowed, but said loudly.
  warnings.push(...exposureWarnings(plan.listeners, listeners));
  for (const w of warnings) logger.warn({}, w);
  state = 'ready';

  let closing: Promise<void> | undefined;
  return {
    listeners,
    stdioTools: plan.stdio.flatMap((e) => e.adapter.tools.map((t) => t.name)),
    files: loaded.map((f) => f.file),
    renames: plan.renames,
    warnings,
    close() {
      if (!closing) {
        state = 'closing';
        closing = closeAll().then(() => {
          state = 'closed';
        });
      }
      return closing;
    },
  };
}

/** Values of the bind variables that exposed-side `authentication` uses (kept out of logs too). */
export function exposedSecretValues(
  files: ReadonlyArray<{ capability: Capability }>,
  env: Record<string, string | undefined>,
): string[] {
  const out: string[] = [];
  for (const { capability } of files) {
    for (const adapter of capability.exposes) {
      const auth = (adapter as { authentication?: Authentication }).authentication;
      if (!auth) continue;
      const exprs = Object.values(auth).filter(
        (v): v is Expr => typeof v === 'object' && v !== null && 'kind' in v && typeof (v as Expr).kind === 'string',
      );
      for (const expr of exprs) {
        if (expr.kind === 'literal' && typeof expr.value === 'string') out.push(expr.value);
        for (const ref of expressionRefs(expr)) {
          const value = ref.kind === 'bind' ? env[ref.sourceKey] : undefined;
          if (value) out.push(value);
        }
      }
    }
  }
  return out;
}

/**
 * One warning per listener bound to a non-loopback address that serves an adapter without
 * exposed-side `authentication`: anyone who reaches the address uses the upstream credentials.
 */
export function exposureWarnings(plans: readonly ListenerPlan[], opened: readonly ListenerInfo[] = []): string[] {
  const out: string[] = [];
  plans.forEach((listener, i) => {
    if (isLoopback(listener.host)) return;
    const open = listener.adapters.filter((a) => !a.adapter.authentication).map((a) => a.adapter.namespace);
    if (open.length === 0) return;
    const port = opened[i]?.port ?? listener.port;
    out.push(
      `listening on ${listener.host}:${port} without exposed-side authentication ` +
        `(${open.slice(0, 3).join(', ')}${open.length > 3 ? `, … ${open.length} adapters` : ''}): ` +
        'anyone who can reach this address can call the upstream API with the configured credentials; ' +
        'declare `authentication` on the adapter, or bind 127.0.0.1 behind an authenticating proxy',
    );
  });
  return out;
}

function servesOf(listener: ListenerPlan): string[] {
  if (listener.kind === 'rest') {
    return listener.adapters.flatMap((e) => e.adapter.routes.map((r) => `${r.method} ${r.path.raw}`));
  }
  return listener.adapters.flatMap((e) => e.adapter.tools.map((t) => t.name));
}

async function buildApp(
  listener: ListenerPlan,
  adapters: Array<{ capability: Capability; adapter: RestAdapter | McpAdapter; consumer: Consumer }>,
  common: {
    logger: Logger;
    isReady: () => boolean;
    secrets: string[];
    env: Record<string, string | undefined>;
    redactor: SecretRedactor;
  },
): Promise<ClosableApp> {
  const { redactor, ...shared } = common;
  try {
    if (listener.kind === 'rest') {
      const app = await createRestApp({
        ...shared,
        adapters: adapters as Array<{ capability: Capability; adapter: RestAdapter; consumer: Consumer }>,
        // Whatever else the adapter resolves (exposed-side credentials) is redacted from our logs too.
        onSecrets: (values) => redactor.add(values),
      });
      return app as unknown as ClosableApp;
    }
    const app = await createMcpApp({
      ...shared,
      adapters: adapters as Array<{ capability: Capability; adapter: McpAdapter; consumer: Consumer }>,
      host: listener.host,
    });
    return app as unknown as ClosableApp;
  } catch (cause) {
    const files = [...new Set(listener.adapters.map((a) => a.file))];
    const where = files.length === 1 ? files[0] : `${files.length} files`;
    throw new ServerError(
      'SERVER_CONFIG',
      `cannot serve the ${listener.kind.toUpperCase()} adapters of ${where}: ${(cause as Error).message}`,
      { cause },
    );
  }
}
