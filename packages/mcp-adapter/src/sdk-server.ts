/**
 * The SDK side: an `McpServer` built from the precompiled registry and the prepared resources and
 * prompts. It serves every method the hot path does not (initialize, ping, resources/*,
 * prompts/*, notifications, malformed requests…) and is the reference the hot path is tested
 * against.
 */
import { McpServer, ProtocolError, ProtocolErrorCode, fromJsonSchema } from '@modelcontextprotocol/server';
import type { GetPromptResult, JsonSchemaType, ReadResourceResult } from '@modelcontextprotocol/server';
import { isTextMime, readInside, renderTemplate, type PreparedContent } from './content.js';
import type { ToolRegistry } from './registry.js';

export interface ServerIdentity {
  name: string;
  version: string;
}

export function buildMcpServer(registry: ToolRegistry, content: PreparedContent, identity: ServerIdentity): McpServer {
  // Share the precompiled validator provider: the SDK's default builds a new ajv per server.
  const server = new McpServer({ name: identity.name, version: identity.version }, { jsonSchemaValidator: registry.validators });

  for (const tool of registry.tools.values()) {
    const config = {
      ...(tool.model.title !== undefined ? { title: tool.model.title } : {}),
      description: tool.model.description,
      inputSchema: fromJsonSchema<Record<string, unknown>>(tool.inputSchema, registry.validators),
      ...(tool.outputSchema
        ? { outputSchema: fromJsonSchema<Record<string, unknown>>(tool.outputSchema, registry.validators) }
        : {}),
      annotations: tool.model.annotations,
    };
    server.registerTool(tool.name, config as never, (async (args: Record<string, unknown>, ctx: { mcpReq?: { signal?: AbortSignal } }) =>
      tool.execute(args ?? {}, ctx?.mcpReq?.signal ? { signal: ctx.mcpReq.signal } : undefined)) as never);
  }

  for (const r of content.resources) {
    const { decl } = r;
    const metadata = {
      ...(decl.title !== undefined ? { title: decl.title } : {}),
      description: decl.description,
      ...(decl.mimeType !== undefined ? { mimeType: decl.mimeType } : {}),
    };
    server.registerResource(decl.name, decl.uri, metadata, async (uri): Promise<ReadResourceResult> => {
      if (r.unsupported !== undefined || !r.file || !r.root) {
        throw new ProtocolError(ProtocolErrorCode.InternalError, r.unsupported ?? `Resource \`${decl.uri}\` cannot be read.`);
      }
      let bytes: Buffer;
      try {
        bytes = await readInside(r.root, r.file, `Resource \`${decl.uri}\``);
      } catch (err) {
        throw new ProtocolError(ProtocolErrorCode.InternalError, err instanceof Error ? err.message : String(err));
      }
      const base = { uri: uri.href, ...(decl.mimeType !== undefined ? { mimeType: decl.mimeType } : {}) };
      return {
        contents: [isTextMime(decl.mimeType) ? { ...base, text: bytes.toString('utf8') } : { ...base, blob: bytes.toString('base64') }],
      };
    });
  }

  for (const p of content.prompts) {
    const { decl } = p;
    const properties: Record<string, unknown> = {};
    const required: string[] = [];
    for (const a of decl.arguments) {
      properties[a.name] = { type: 'string', description: a.description, ...(a.title !== undefined ? { title: a.title } : {}) };
      if (a.required) required.push(a.name);
    }
    const schema = { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
    registry.validators.compile(schema, 'prompt argument');
    const argsSchema = fromJsonSchema<Record<string, string>>(schema as JsonSchemaType, registry.validators);
    const config = {
      ...(decl.title !== undefined ? { title: decl.title } : {}),
      description: decl.description,
      argsSchema,
    };
    server.registerPrompt(decl.name, config, async (args: Record<string, string>): Promise<GetPromptResult> => {
      let template = decl.template;
      if (!template) {
        if (!p.file || !p.root) throw new ProtocolError(ProtocolErrorCode.InternalError, `Prompt \`${decl.name}\` has no template.`);
        let bytes: Buffer;
        try {
          bytes = await readInside(p.root, p.file, `Prompt \`${decl.name}\``);
        } catch (err) {
          throw new ProtocolError(ProtocolErrorCode.InternalError, err instanceof Error ? err.message : String(err));
        }
        template = [{ role: 'user', content: bytes.toString('utf8') }];
      }
      return {
        ...(decl.description ? { description: decl.description } : {}),
        messages: template.map((m) => ({ role: m.role, content: { type: 'text' as const, text: renderTemplate(m.content, args ?? {}) } })),
      };
    });
  }

  return server;
}
