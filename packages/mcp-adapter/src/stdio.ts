/**
 * `serveMcpStdio`: newline-delimited JSON-RPC on stdin/stdout through the SDK's stdio entry
 * (both protocol eras). Nothing but protocol messages is ever written to stdout: logs go to the
 * given logger, which the host points at stderr.
 */
import type { Readable, Writable } from 'node:stream';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '@naftiko-ts/consumer';
import { adapterEntries, serverIdentity, type McpAppOptions } from './app.js';
import { prepareContent } from './content.js';
import { silentLogger } from './logger.js';
import { createToolRegistry } from './registry.js';
import { buildMcpServer } from './sdk-server.js';

export type ServeMcpStdioOptions = Pick<McpAppOptions, 'secrets'> &
  (
    | { adapters: Extract<McpAppOptions, { adapters: unknown }>['adapters'] }
    | Pick<Extract<McpAppOptions, { capability: unknown }>, 'capability' | 'consumer' | 'adapter'>
  ) & {
    stdin?: Readable;
    stdout?: Writable;
    logger?: Logger;
  };

export interface McpStdioHandle {
  close(): Promise<void>;
}

export async function serveMcpStdio(options: ServeMcpStdioOptions): Promise<McpStdioHandle> {
  const logger = options.logger ?? silentLogger;
  const entries = adapterEntries(options as McpAppOptions);
  const registry = createToolRegistry(entries, { logger, secrets: options.secrets ?? [] });
  const content = prepareContent(entries);
  const identity = serverIdentity(entries);
  const transport = new StdioServerTransport(options.stdin ?? process.stdin, options.stdout ?? process.stdout);
  const handle = serveStdio(() => buildMcpServer(registry, content, identity), {
    transport,
    onerror: (err) => logger.warn({ err: registry.redact(err.message) }, 'mcp stdio error'),
  });
  logger.info({ tools: registry.tools.size }, 'MCP server listening on stdio');
  return {
    close: () => handle.close(),
  };
}
