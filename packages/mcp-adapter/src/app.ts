/**
 * `createMcpApp`: a fastify app serving one or more MCP adapters over Streamable HTTP
 * (stateless, `POST /mcp` and `POST /`), plus `/healthz`, `/readyz` and `/metrics`.
 *
 * Routing of one POST:
 *   1. the hot path answers plain `tools/list` / `tools/call` requests (both eras);
 *   2. other 2025-era traffic goes to ONE long-lived `McpServer` over a multiplexing transport;
 *   3. other 2026-07-28 traffic (and malformed requests) goes to the SDK's `createMcpHandler`.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  classifyInboundRequest,
  createMcpHandler,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  validateHostHeader,
  validateOriginHeader,
  type JSONRPCMessage,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import type { Capability, McpAdapter } from '@naftiko-ts/spec';
import { trackConnectionAbort, type AbortHandle, type Consumer, type Logger } from '@naftiko-ts/consumer';
import { createAuthCheck, type AuthCheck } from './auth.js';
import { prepareContent } from './content.js';
import { McpAdapterError } from './errors.js';
import { HotPath, type McpHeaders } from './hot-path.js';
import { silentLogger } from './logger.js';
import { McpMetrics } from './metrics.js';
import { MultiplexTransport } from './mux-transport.js';
import { createToolRegistry, type AdapterEntry, type ToolRegistry } from './registry.js';
import { buildMcpServer, type ServerIdentity } from './sdk-server.js';
import { VERSION } from './version.js';

export interface McpAppOptionsMany {
  adapters: ReadonlyArray<{ capability: Capability; adapter: McpAdapter; consumer: Consumer }>;
  logger?: Logger;
  /** The host the app will listen on; loopback (the default) turns on Host/Origin validation. */
  host?: string;
  /** Allowed `Host` hostnames (no port). Default for loopback: localhost, 127.0.0.1, [::1]. */
  allowedHosts?: string[];
  /** Allowed `Origin` hostnames (no scheme/port). Default for loopback: the localhost names. */
  allowedOrigins?: string[];
  /** Readiness for `/readyz`. Default: always ready. */
  isReady?: () => boolean;
  /** Secret values to keep out of every response (in addition to each consumer's own). */
  secrets?: readonly string[];
  /** Values for bind variables used by the exposed-side `authentication` (`VAR` or source key → value). */
  exposedSecrets?: Record<string, string>;
  /** Environment for exposed-side secrets not in `exposedSecrets`. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Serve `tools/call` / `tools/list` through the dedicated hot path. Default true (false: SDK only, for tests). */
  hotPath?: boolean;
  /** Maximum request body, bytes. Default 4 MiB (the SDK's default). */
  bodyLimit?: number;
}

export interface McpAppOptionsSingle extends Omit<McpAppOptionsMany, 'adapters'> {
  capability: Capability;
  consumer: Consumer;
  /** Which MCP adapter of the capability (default: the first `type: mcp` one). */
  adapter?: McpAdapter;
}

export type McpAppOptions = McpAppOptionsMany | McpAppOptionsSingle;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const PARSE_FAILED = Symbol('parse-failed');
const BAD_MEDIA = Symbol('bad-media');
const MCP_PATHS = ['/mcp', '/'];
/** Caller request ids forwarded upstream (`X-Request-Id`) only when they look like ids. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function jsonRpcError(code: number, message: string, id: unknown = null): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id });
}

/** Normalise the two option forms to adapter entries. */
export function adapterEntries(options: McpAppOptions): AdapterEntry[] {
  if ('adapters' in options) return options.adapters.map((a) => ({ ...a }));
  const adapter =
    options.adapter ?? (options.capability.exposes.find((e) => e.type === 'mcp') as McpAdapter | undefined);
  if (!adapter) {
    throw new McpAdapterError('MCP_CONFIG', `Capability \`${options.capability.source}\` exposes no \`type: mcp\` adapter.`);
  }
  return [{ capability: options.capability, adapter, consumer: options.consumer }];
}

export function serverIdentity(entries: ReadonlyArray<AdapterEntry>): ServerIdentity {
  return { name: entries.length === 1 ? entries[0]!.adapter.namespace : 'naftiko-ts', version: VERSION };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isJsonMedia(contentType: string): boolean {
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}

export async function createMcpApp(options: McpAppOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? silentLogger;
  const entries = adapterEntries(options);
  const metrics = new McpMetrics();
  const registry: ToolRegistry = createToolRegistry(entries, { logger, metrics, secrets: options.secrets ?? [] });
  const content = prepareContent(entries);
  const identity = serverIdentity(entries);
  const useHotPath = options.hotPath !== false;
  const hot = new HotPath(registry, identity);
  const isReady = options.isReady ?? (() => true);

  // Exposed-side authentication: when any merged adapter declares one, every request needs one.
  const env = options.env ?? process.env;
  const exposed = options.exposedSecrets ?? {};
  const lookup = (variable: string, sourceKey: string): string | undefined => exposed[variable] ?? exposed[sourceKey] ?? env[sourceKey];
  const authChecks: AuthCheck[] = [];
  for (const e of entries) if (e.adapter.authentication) authChecks.push(createAuthCheck(e.adapter.authentication, e.adapter, lookup));

  // DNS-rebinding protection when bound to loopback (or when allow-lists are given).
  const host = options.host ?? '127.0.0.1';
  const loopback = LOOPBACK.has(host);
  const allowedHosts = options.allowedHosts ?? (loopback ? localhostAllowedHostnames() : undefined);
  const allowedOrigins = options.allowedOrigins ?? (loopback ? localhostAllowedOrigins() : undefined);
  if (!loopback && options.allowedHosts === undefined) {
    logger.warn({ host }, 'MCP endpoint bound to a non-loopback address without allowedHosts: Host header validation is off');
  }

  const onerror = (err: Error): void => logger.debug({ err: registry.redact(err.message) }, 'mcp sdk reported an error');

  // 2025-era SDK serving: one long-lived server on a multiplexing transport.
  const legacyServer = buildMcpServer(registry, content, identity);
  legacyServer.server.onerror = onerror;
  const mux = new MultiplexTransport();
  await legacyServer.connect(mux);

  // 2026-07-28 SDK serving (cold methods, ladder rejections): the SDK's own entry.
  const modern: McpHttpHandler = createMcpHandler(() => buildMcpServer(registry, content, identity), {
    legacy: 'reject',
    onerror,
  });

  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024, return503OnClosing: false });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const ct = req.headers['content-type'];
    if (ct !== undefined && ct !== '' && !isJsonMedia(ct)) return done(null, BAD_MEDIA);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, PARSE_FAILED);
    }
  });

  app.setErrorHandler((err: { statusCode?: number; code?: string }, _req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) logger.error({ code: err.code }, 'mcp endpoint failed');
    const message =
      status === 413
        ? 'Payload Too Large'
        : status === 415
          ? 'Unsupported Media Type: Content-Type must be application/json'
          : status === 400
            ? 'Bad Request'
            : 'Internal error';
    void reply
      .code(status)
      .header('content-type', 'application/json')
      .send(jsonRpcError(status >= 500 ? -32603 : -32000, message));
  });

  // Host values already accepted (validating parses a URL; most clients send one or two values).
  const acceptedHosts = new Set<string>();
  const refuse = (reply: FastifyReply, status: number, message: string): void => {
    void reply.code(status).header('content-type', 'application/json').send(jsonRpcError(status === 401 ? -32001 : -32000, message));
  };

  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/healthz' || path === '/readyz') return done();
    if (allowedHosts) {
      const hostHeader = headerValue(request.headers.host);
      if (hostHeader === undefined || !acceptedHosts.has(hostHeader)) {
        const r = validateHostHeader(hostHeader, allowedHosts);
        if (!r.ok) {
          logger.warn({ reason: r.errorCode }, 'refused a request with a foreign Host header');
          return refuse(reply, 403, `Forbidden: ${r.message}`);
        }
        if (acceptedHosts.size < 64) acceptedHosts.add(hostHeader!);
      }
    }
    if (allowedOrigins) {
      const origin = headerValue(request.headers.origin);
      if (origin !== undefined) {
        const r = validateOriginHeader(origin, allowedOrigins);
        if (!r.ok) {
          logger.warn({ reason: r.errorCode }, 'refused a request with a foreign Origin header');
          return refuse(reply, 403, `Forbidden: ${r.message}`);
        }
      }
    }
    if (authChecks.length > 0 && MCP_PATHS.includes(path)) {
      const query = q < 0 ? undefined : new URLSearchParams(url.slice(q + 1));
      if (!authChecks.some((c) => c.verify(request.headers, query))) {
        void reply.header('www-authenticate', authChecks[0]!.challenge);
        return refuse(reply, 401, 'Unauthorized: this MCP endpoint requires valid credentials.');
      }
    }
    done();
  });

  const legacyPost = async (body: unknown, pv: string | undefined, reply: FastifyReply): Promise<FastifyReply> => {
    if (pv !== undefined && !(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(pv)) {
      return reply
        .code(400)
        .header('content-type', 'application/json')
        .send(
          jsonRpcError(-32000, `Bad Request: Unsupported protocol version: ${pv} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`),
        );
    }
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as JSONRPCMessage[];
    const responses = (await Promise.all(messages.map((m) => mux.handle(m)))).filter((r): r is JSONRPCMessage => r !== undefined);
    if (responses.length === 0) return reply.code(202).send();
    return reply
      .code(200)
      .header('content-type', 'application/json')
      .send(JSON.stringify(batch ? responses : responses[0]));
  };

  /** Open SSE responses (`subscriptions/listen`), ended when the app closes. */
  const streams = new Set<{ abort: AbortController; raw: FastifyReply['raw']; socket: FastifyReply['raw']['socket'] }>();

  const modernPost = async (request: FastifyRequest, body: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(request.headers)) {
      if (v === undefined || k === 'content-length' || k === 'transfer-encoding' || k === 'connection') continue;
      headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    // Be liberal: a client that accepts JSON gets JSON; never 406 (semantics §6).
    headers.set('accept', 'application/json, text/event-stream');
    headers.set('content-type', 'application/json');
    const url = `http://${headerValue(request.headers.host) ?? '127.0.0.1'}${request.url}`;
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const webRequest = new Request(url, { method: 'POST', headers, body: JSON.stringify(body), signal: abort.signal });
    const response = await modern.fetch(webRequest, { parsedBody: body });
    reply.code(response.status);
    response.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection') void reply.header(key, value);
    });
    if (!response.body) return reply.send();
    if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      // Tracked until its socket closes (not just the response): a client that aborted a stream
      // can leave the server socket open, which would keep `close()` waiting.
      const socket = reply.raw.socket;
      const stream = { abort, raw: reply.raw, socket };
      streams.add(stream);
      if (socket) socket.once('close', () => streams.delete(stream));
      else reply.raw.once('close', () => streams.delete(stream));
      return reply.send(Readable.fromWeb(response.body as unknown as NodeReadableStream));
    }
    return reply.send(await response.text());
  };


  const post = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const body = request.body;
    if (body === PARSE_FAILED || body === undefined) {
      return reply.code(400).header('content-type', 'application/json').send(jsonRpcError(-32700, 'Parse error: Invalid JSON'));
    }
    if (body === BAD_MEDIA) {
      return reply
        .code(415)
        .header('content-type', 'application/json')
        .send(jsonRpcError(-32000, 'Unsupported Media Type: Content-Type must be application/json'));
    }
    const h = request.headers;
    const mcpHeaders: McpHeaders = {
      protocolVersion: headerValue(h['mcp-protocol-version']),
      mcpMethod: headerValue(h['mcp-method']),
      mcpName: headerValue(h['mcp-name']),
    };
    if (useHotPath) {
      const rid = h['x-request-id'];
      // A client that disconnects aborts the upstream call: a cheap handle per request and one
      // 'close' listener per connection (no AbortController per request).
      const abort: AbortHandle = { aborted: false, onAbort: undefined };
      const answer = hot.answer(body, mcpHeaders, typeof rid === 'string' && REQUEST_ID.test(rid) ? { requestId: rid, abort } : { abort });
      if (answer !== undefined) {
        let json: string;
        if (typeof answer === 'string') json = answer;
        else {
          const inflight = trackConnectionAbort(request.raw.socket, abort);
          try {
            json = await answer;
          } finally {
            inflight?.delete(abort);
          }
        }
        return reply.code(200).header('content-type', 'application/json').send(json);
      }
    }
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      body,
      ...(mcpHeaders.protocolVersion !== undefined ? { protocolVersionHeader: mcpHeaders.protocolVersion } : {}),
      ...(mcpHeaders.mcpMethod !== undefined ? { mcpMethodHeader: mcpHeaders.mcpMethod } : {}),
      ...(mcpHeaders.mcpName !== undefined ? { mcpNameHeader: mcpHeaders.mcpName } : {}),
    });
    if (route.kind === 'legacy') return legacyPost(body, mcpHeaders.protocolVersion?.trim(), reply);
    return modernPost(request, body, reply);
  };

  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    reply.code(405).header('allow', 'POST').header('content-type', 'application/json').send(jsonRpcError(-32000, 'Method not allowed.'));

  for (const path of MCP_PATHS) {
    app.post(path, post);
    app.route({ method: ['GET', 'DELETE', 'PUT', 'PATCH'], url: path, handler: notAllowed });
  }

  app.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = isReady();
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });

  // Streams that never end on their own (`subscriptions/listen`) are torn down before the
  // listener waits for its connections, so `close()` cannot hang on an open client.
  app.addHook('preClose', async () => {
    for (const s of streams) {
      s.abort.abort();
      if (!s.raw.writableEnded) s.raw.end();
      s.socket?.destroy();
    }
    await modern.close();
  });
  app.addHook('onClose', async () => {
    await legacyServer.close();
  });

  return app;
}
