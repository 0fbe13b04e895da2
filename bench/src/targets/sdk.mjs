// The MCP TypeScript SDK v2's own stateless example (`@modelcontextprotocol/node` README, node:http):
// a new McpServer and transport per request, with the two changes the perf notes measured as its best
// stateless setup: JSON responses (`enableJsonResponse`) and ONE shared JSON-schema validator
// (the tool's input schema compiled once, not per request).
import http from 'node:http';
import {
  NodeStreamableHTTPServerTransport,
  localhostHostValidation,
  localhostOriginValidation,
} from '@modelcontextprotocol/node';
import { McpServer, fromJsonSchema } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { Agent, request } from 'undici';
import { API_KEY, SEED_TOOL, UPSTREAM_PATH } from '../lib/fixtures.mjs';
import { announce, fail, onShutdown, upstreamOrigin } from './child.mjs';

const url = new URL(UPSTREAM_PATH, upstreamOrigin()).toString();
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

// Shared across requests.
const validator = new AjvJsonSchemaValidator();
const inputSchema = fromJsonSchema(
  {
    type: 'object',
    properties: { body: { type: 'object', description: 'Request body (JSON).' } },
  },
  validator,
);

async function createToken({ body }) {
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': API_KEY },
    body: JSON.stringify(body ?? {}),
  });
  const json = await res.body.json();
  const text = JSON.stringify(json);
  if (res.statusCode >= 400) {
    return { isError: true, content: [{ type: 'text', text: `HTTP ${res.statusCode}: ${text}` }] };
  }
  return { content: [{ type: 'text', text }], structuredContent: json };
}

function buildServer() {
  const server = new McpServer({ name: 'bench-sdk', version: '1.0.0' }, { jsonSchemaValidator: validator });
  server.registerTool(
    SEED_TOOL,
    {
      description: 'BigCommerce Create a Token',
      inputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    createToken,
  );
  return server;
}

const validateHost = localhostHostValidation();
const validateOrigin = localhostOriginValidation();

const httpServer = http.createServer(async (req, res) => {
  if (!validateHost(req, res) || !validateOrigin(req, res)) return;
  try {
    const server = buildServer();
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  } catch (err) {
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: String(err) } }));
    }
  }
});
httpServer.keepAliveTimeout = 60_000;

httpServer.listen(0, '127.0.0.1', () => announce({ http: httpServer.address().port }));
httpServer.on('error', fail);
onShutdown(
  () => new Promise((resolve) => httpServer.close(() => resolve())),
  () => httpServer.closeAllConnections(),
);
