// Constants shared by the harness and the target processes: the seed's request, the upstream's
// fixed answer and the checks every measured response must pass.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
/** `/work/shared` in development; CI clones the repo with `shared/` beside it. */
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');
export const SEED_FILE = path.join(SHARED_DIR, 'capabilities/storefront-token-customer-impersonation-token.yaml');
export const CORPUS_DIR = path.join(SHARED_DIR, 'corpus/bigcommerce');
/** A copy of the seed kept by the server package (used when ../shared is absent). */
export const SEED_FALLBACK = path.join(
  REPO_ROOT,
  'apps/server/capabilities/storefront-token-customer-impersonation-token.yaml',
);

export function seedFile() {
  if (fs.existsSync(SEED_FILE)) return SEED_FILE;
  if (fs.existsSync(SEED_FALLBACK)) return SEED_FALLBACK;
  return undefined;
}

export const SEED_NAMESPACE = 'storefront-token-customer-impersonation-token';
export const SEED_TOOL = 'bigcommerce-create-token';
export const STORE_HASH = 'benchstore';
/** The bench's fake access token (not a secret: the stand-in accepts only this value). */
export const API_KEY = 'bench-access-token-0123456789abcdef';

/** The upstream path of the seed operation, with the bench store hash filled in. */
export const UPSTREAM_PATH = `/stores/${STORE_HASH}/v3/storefront/api-token-customer-impersonation`;
/** `--base-uri` value for any consumes namespace: the stand-in, keeping the `{store_hash}` placeholder. */
export const upstreamBaseUri = (origin) => `${origin}/stores/{store_hash}/v3`;

/** The REST route the seed exposes. */
export const REST_PATH = '/v1/storefront/api-token-customer-impersonation';

/** The seed's request body, the same for every target. */
export const REQUEST_BODY_OBJECT = { expires_at: 2147483647, channel_ids: [1] };
export const REQUEST_BODY = JSON.stringify(REQUEST_BODY_OBJECT);

const b64url = (s) => Buffer.from(s).toString('base64url');
/** A token shaped like a real customer impersonation token (ES256 JWT; the signature is fixed bytes). */
export const TOKEN = [
  b64url('{"typ":"JWT","alg":"ES256"}'),
  b64url(
    '{"cid":[1],"cors":[],"eat":2147483647,"iat":1736415654,"iss":"BC","sid":1003273065,' +
      '"sub":"benchclient0123456789abcdefghi","sub_type":2,"token_type":2}',
  ),
  Buffer.alloc(64, 7).toString('base64url'),
].join('.');
/** The upstream stand-in's fixed 200 body. */
export const TOKEN_BODY = JSON.stringify({ data: { token: TOKEN }, meta: {} });

/** MCP protocol revision sent in `MCP-Protocol-Version` (2025-era: what v1 and default v2 clients send). */
export const MCP_PROTOCOL_VERSION = '2025-11-25';

export const MCP_CALL_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: SEED_TOOL, arguments: { body: REQUEST_BODY_OBJECT } },
});

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': MCP_PROTOCOL_VERSION,
};

/**
 * The request a target is measured with.
 * @param {'http'|'mcp'|'upstream'} kind
 */
export function requestFor(kind) {
  if (kind === 'mcp') return { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: MCP_CALL_BODY };
  if (kind === 'upstream') {
    return {
      method: 'POST',
      path: UPSTREAM_PATH,
      headers: { 'content-type': 'application/json', 'x-auth-token': API_KEY },
      body: REQUEST_BODY,
    };
  }
  return { method: 'POST', path: REST_PATH, headers: { 'content-type': 'application/json' }, body: REQUEST_BODY };
}

/**
 * Checks one response body. Plain string checks: they run on the load generator's core for every
 * response, so they must stay cheap, and they are exact (the token is a fixed 300-character string).
 * @returns {string|undefined} why the body is wrong, or undefined when it is right
 */
export function checkBody(kind, body) {
  if (typeof body !== 'string' || !body.includes(TOKEN)) return 'the token is missing';
  if (kind === 'mcp') {
    if (body.includes('"isError":true')) return 'the tool result has isError: true';
    if (!body.includes('"result"')) return 'no JSON-RPC result';
  }
  return undefined;
}
