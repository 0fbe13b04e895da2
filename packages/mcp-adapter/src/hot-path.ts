/**
 * The dedicated hot path for `tools/call` and `tools/list`: parse (already done by the caller),
 * validate arguments with the precompiled validator, call the prepared consumer call, encode.
 *
 * It answers exactly what the SDK would answer, in each protocol era, and only for the plain
 * request shapes it fully understands; anything else returns `undefined` and goes to the SDK
 * (differential tests in `test/differential.test.ts` hold the two paths together).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
  classifyInboundRequest,
} from '@modelcontextprotocol/server';
import type { CallOptions } from '@naftiko-ts/consumer';
import { RAW_JSON, type CompiledTool, type ToolRegistry, type ToolResult } from './registry.js';
import type { ServerIdentity } from './sdk-server.js';

export const MODERN_REVISION = '2026-07-28';

export interface McpHeaders {
  protocolVersion?: string | undefined;
  mcpMethod?: string | undefined;
  mcpName?: string | undefined;
}

type Era = 'legacy' | 'modern';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in obj) if (!allowed.has(k)) return false;
  return true;
}

const CALL_KEYS = new Set(['name', 'arguments', '_meta']);
const LIST_KEYS = new Set(['_meta']);
const LEGACY_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

export class HotPath {
  private readonly legacyList: string;
  private readonly modernList: string;
  private readonly serverInfoMeta: Record<string, unknown>;
  private readonly serverInfoMetaJson: string;

  constructor(
    private readonly registry: ToolRegistry,
    identity: ServerIdentity,
  ) {
    const tools = registry.definitions;
    this.serverInfoMeta = { [SERVER_INFO_META_KEY]: { name: identity.name, version: identity.version } };
    this.serverInfoMetaJson = JSON.stringify(this.serverInfoMeta);
    this.legacyList = JSON.stringify({ tools });
    this.modernList = JSON.stringify({
      tools,
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: this.serverInfoMeta,
    });
  }

  /**
   * Answer `body` if it is a plain `tools/list` / `tools/call` request this path serves: returns
   * the JSON text of the JSON-RPC response (HTTP 200, `application/json`), or `undefined` to let
   * the SDK answer.
   */
  answer(body: unknown, headers: McpHeaders, options?: CallOptions): Promise<string> | string | undefined {
    // A server without tools has no `tools` capability: the SDK answers (method not found).
    if (this.registry.tools.size === 0) return undefined;
    if (!isPlainObject(body) || body['jsonrpc'] !== '2.0') return undefined;
    const method = body['method'];
    if (method !== 'tools/call' && method !== 'tools/list') return undefined;
    const id = body['id'];
    if (typeof id === 'number') {
      if (!Number.isSafeInteger(id)) return undefined;
    } else if (typeof id !== 'string') return undefined;
    for (const k in body) if (k !== 'jsonrpc' && k !== 'method' && k !== 'id' && k !== 'params') return undefined;
    const params = body['params'];
    if (params !== undefined && !isPlainObject(params)) return undefined;

    const era = this.era(body, params, method, headers);
    if (era === undefined) return undefined;

    const idJson = JSON.stringify(id);
    if (method === 'tools/list') {
      if (params !== undefined && !onlyKeys(params, LIST_KEYS)) return undefined;
      return `{"result":${era === 'modern' ? this.modernList : this.legacyList},"jsonrpc":"2.0","id":${idJson}}`;
    }

    if (params === undefined || !onlyKeys(params, CALL_KEYS)) return undefined;
    const name = params['name'];
    if (typeof name !== 'string') return undefined;
    const args = params['arguments'];
    if (args !== undefined && !isPlainObject(args)) return undefined;
    if (era === 'modern') {
      const nameHeader = headers.mcpName;
      if (nameHeader === undefined || nameHeader.trim() !== name || nameHeader.includes('=?')) return undefined;
    }
    const tool = this.registry.tools.get(name);
    if (!tool) {
      return `{"jsonrpc":"2.0","id":${idJson},"error":${JSON.stringify({ code: -32602, message: `Tool ${name} not found` })}}`;
    }
    return this.call(tool, args ?? {}, era, idJson, options);
  }

  private era(body: Record<string, unknown>, params: Record<string, unknown> | undefined, method: string, headers: McpHeaders): Era | undefined {
    const meta = params?.['_meta'];
    if (meta !== undefined && !isPlainObject(meta)) return undefined;
    const claimed = meta !== undefined && PROTOCOL_VERSION_META_KEY in meta;
    const pv = headers.protocolVersion?.trim();
    if (!claimed) {
      if (pv !== undefined && !LEGACY_VERSIONS.has(pv)) return undefined;
      return 'legacy';
    }
    // Modern request: the SDK's own classifier validates the envelope; the standard headers
    // must be present and agree with the body, otherwise the SDK answers the ladder error.
    if (meta[PROTOCOL_VERSION_META_KEY] !== MODERN_REVISION || !isPlainObject(meta[CLIENT_CAPABILITIES_META_KEY])) return undefined;
    if (pv !== MODERN_REVISION || headers.mcpMethod?.trim() !== method) return undefined;
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      body,
      protocolVersionHeader: pv,
      mcpMethodHeader: headers.mcpMethod,
      ...(headers.mcpName !== undefined ? { mcpNameHeader: headers.mcpName } : {}),
    });
    if (route.kind !== 'modern' || route.messageKind !== 'request') return undefined;
    if (route.classification.era !== 'modern' || route.classification.revision !== MODERN_REVISION) return undefined;
    return 'modern';
  }

  private async call(tool: CompiledTool, args: Record<string, unknown>, era: Era, idJson: string, options?: CallOptions): Promise<string> {
    const check = tool.checkInput(args);
    let result: ToolResult;
    if (!check.valid) {
      result = {
        content: [{ type: 'text', text: `Input validation error: Invalid arguments for tool ${tool.name}: ${check.errorMessage}` }],
        isError: true,
      };
    } else {
      result = await tool.execute(args, options);
      if (tool.checkOutput && !result.isError) {
        if (result.structuredContent === undefined) {
          result = {
            content: [{ type: 'text', text: `Output validation error: Tool ${tool.name} has an output schema but no structured content was provided` }],
            isError: true,
          };
        } else {
          const out = tool.checkOutput(result.structuredContent);
          if (!out.valid) {
            result = {
              content: [{ type: 'text', text: `Output validation error: Invalid structured content for tool ${tool.name}: ${out.errorMessage}` }],
              isError: true,
            };
          }
        }
      }
    }
    const raw = result[RAW_JSON];
    if (raw !== undefined && !result.isError) {
      // Splice the upstream bytes: no parse/re-serialise of the body on the way out.
      const tail = era === 'modern' ? `,"resultType":"complete","_meta":${this.serverInfoMetaJson}` : '';
      return `{"result":{"content":[{"type":"text","text":${JSON.stringify(raw)}}],"structuredContent":${raw}${tail}},"jsonrpc":"2.0","id":${idJson}}`;
    }
    if (era === 'modern') result = { ...result, resultType: 'complete', _meta: this.serverInfoMeta };
    return `{"result":${JSON.stringify(result)},"jsonrpc":"2.0","id":${idJson}}`;
  }
}
