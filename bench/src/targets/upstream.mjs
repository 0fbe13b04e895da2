// The upstream stand-in: node:http answering the seed's token call with a fixed body.
// It reads the whole request body (as a real API would), checks the method, path and access token
// so that a gateway that drops them is caught, and answers everything else with a problem body.
import http from 'node:http';
import { API_KEY, TOKEN_BODY, UPSTREAM_PATH } from '../lib/fixtures.mjs';
import { announce, onShutdown } from './child.mjs';

const ok = Buffer.from(TOKEN_BODY);
const okHeaders = { 'content-type': 'application/json', 'content-length': String(ok.length) };

function problem(res, status, title) {
  const body = JSON.stringify({
    status,
    title,
    type: 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes',
    errors: {},
  });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
  });
  req.on('end', () => {
    if (req.url !== UPSTREAM_PATH) return problem(res, 404, 'Not found');
    if (req.method !== 'POST') return problem(res, 405, 'Method not allowed');
    if (req.headers['x-auth-token'] !== API_KEY) return problem(res, 401, 'Unauthorized');
    if (size === 0) return problem(res, 422, 'JSON data is missing or invalid');
    res.writeHead(200, okHeaders);
    res.end(ok);
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  announce({ http: server.address().port });
});
onShutdown(() => new Promise((resolve) => server.close(() => resolve())), () => server.closeAllConnections());
