import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapability, type Capability, type McpAdapter } from '@naftiko-ts/spec';
import type { Consumer, ConsumerResult, PreparedCall } from '@naftiko-ts/consumer';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const shared = path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(shared);
if (!hasShared) console.warn(`${shared} not found: tests that need ../shared are skipped`);

/** The seed ships inside apps/server (the user's own document), so seed tests run without ../shared. */
export const SEED = path.join(repoRoot, 'apps/server/capabilities/storefront-token-customer-impersonation-token.yaml');
export const hasSeed = fs.existsSync(SEED);
export const SEED_NS = 'storefront-token-customer-impersonation-token';
export const SEED_TOOL = 'bigcommerce-create-token';

export function loadCapability(file: string): Capability {
  const r = parseCapability(fs.readFileSync(file, 'utf8'), { source: file });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.capability || errors.length > 0) throw new Error(`cannot load ${file}: ${errors.map((e) => e.message).join('; ')}`);
  return r.capability;
}

export function parseText(text: string, source: string): Capability {
  const r = parseCapability(text, { source });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.capability || errors.length > 0) throw new Error(`cannot parse ${source}: ${errors.map((e) => e.message).join('; ')}`);
  return r.capability;
}

export function mcpAdapterOf(capability: Capability): McpAdapter {
  const a = capability.exposes.find((e) => e.type === 'mcp');
  if (!a) throw new Error('no mcp adapter');
  return a as McpAdapter;
}

export function result(status: number, body: unknown, passthrough = true): ConsumerResult {
  const raw = Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
  const parse = () => (raw.length === 0 ? null : JSON.parse(raw.toString('utf8')));
  return {
    status,
    headers: { 'content-type': 'application/json' },
    contentType: 'application/json',
    raw,
    passthrough,
    get body() {
      return parse();
    },
    get mapped() {
      return parse();
    },
  };
}

export type Invocation = { target: string; inputs: Record<string, unknown> };

/** A stand-in `Consumer` (dependency injection, not a module mock) answering from `respond`. */
export function stubConsumer(
  respond: (inv: Invocation) => ConsumerResult | Promise<ConsumerResult>,
  secrets: string[] = [],
): Consumer & { calls: Invocation[] } {
  const calls: Invocation[] = [];
  return {
    calls,
    problems: [],
    assertReady() {},
    secretValues: () => secrets,
    close: async () => {},
    prepare(call): PreparedCall {
      return {
        target: call.target,
        method: call.consumed.method,
        async invoke(inputs) {
          const inv = { target: call.target, inputs };
          calls.push(inv);
          return respond(inv);
        },
      };
    },
    async call() {
      throw new Error('not used');
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const MODERN = '2026-07-28';

/** A 2026-07-28 request: body envelope plus the standard headers. */
export function modern(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  const body = {
    jsonrpc: '2.0',
    id,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  };
  const headers: Record<string, string> = {
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    accept: 'application/json, text/event-stream',
  };
  if (typeof params['name'] === 'string') headers['mcp-name'] = params['name'];
  return { body, headers };
}
