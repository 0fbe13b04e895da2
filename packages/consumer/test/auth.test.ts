import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConsumer, ConsumerError, parseChallenges } from '../src/index.js';
import { captureLogger, load, startStub, type Recorded, type Stub } from './helpers.js';

function cap(auth: string, binds = ''): string {
  return `naftiko: 1.0.0-alpha2
info:
  label: auth fixture
binds:
- namespace: env
  keys:
    USER: T_USER
    PASS: T_PASS
    TOKEN: T_TOKEN
${binds}capability:
  consumes:
  - type: http
    namespace: api
    baseUri: http://127.0.0.1:1/api
    authentication:
${auth}
    resources:
    - name: things
      path: /things
      operations:
      - name: list
        method: GET
        outputRawFormat: json
        inputParameters:
        - name: page
          in: query
      - name: create
        method: POST
        outputRawFormat: json
        inputParameters:
        - name: body
          in: body
  exposes:
  - type: rest
    namespace: auth-rest
    port: 8080
    resources: []
`;
}

let stub: Stub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
});

const env = { T_USER: 'alice', T_PASS: 'pa:ss wörd', T_TOKEN: 'tok-abc' };

describe('apikey, bearer, basic', () => {
  it('apikey in a header', async () => {
    const c = createConsumer({
      capability: load(cap('      type: apikey\n      key: X-Api-Key\n      value: "{{env.TOKEN}}"\n      placement: header')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    await c.call('api', 'list', {});
    expect(stub.requests[0]!.headers['x-api-key']).toBe('tok-abc');
    await c.close();
  });

  it('apikey in the query, name and value percent-encoded, redacted in logs', async () => {
    const logger = captureLogger();
    const c = createConsumer({
      capability: load(cap('      type: apikey\n      key: api key\n      value: "{{env.TOKEN}}"\n      placement: query')),
      env: { ...env, T_TOKEN: 'a&b=c/d' },
      baseUriOverrides: { api: `${stub.url}/api` },
      logger,
    });
    await c.call('api', 'list', { page: 2 });
    expect(stub.requests[0]!.url).toBe('/api/things?api%20key=a%26b%3Dc%2Fd&page=2');
    expect(stub.requests[0]!.query).toEqual([
      ['api key', 'a&b=c/d'],
      ['page', '2'],
    ]);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).not.toContain('a%26b%3Dc%2Fd');
    expect(logger.lines.join('\n')).toContain('[REDACTED]');
    await c.close();
  });

  it('bearer', async () => {
    const c = createConsumer({
      capability: load(cap('      type: bearer\n      token: "{{env.TOKEN}}"')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    await c.call('api', 'list', {});
    expect(stub.requests[0]!.headers.authorization).toBe('Bearer tok-abc');
    await c.close();
  });

  it('basic, including an empty password', async () => {
    const c = createConsumer({
      capability: load(cap('      type: basic\n      username: "{{env.USER}}"\n      password: "{{env.PASS}}"')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    await c.call('api', 'list', {});
    expect(stub.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pa:ss wörd').toString('base64')}`);
    await c.close();
    const empty = createConsumer({
      capability: load(cap('      type: basic\n      username: "{{env.USER}}"\n      password: ""')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    expect(empty.problems).toEqual([]);
    await empty.call('api', 'list', {});
    expect(stub.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:').toString('base64')}`);
    await empty.close();
  });
});

// ---------------------------------------------------------------------------
// Digest: a stub that implements RFC 7616 independently
// ---------------------------------------------------------------------------

function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/([a-z]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/gi)) {
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return out;
}

function digestServer(algorithm: 'MD5' | 'SHA-256', password: string, offer = `algorithm=${algorithm}`) {
  const hashName = algorithm === 'MD5' ? 'md5' : 'sha256';
  const H = (s: string) => createHash(hashName).update(s).digest('hex');
  let nonceCount = 0;
  let nonce = 'nonce-1';
  const seenNc: string[] = [];
  const verify = (req: Recorded): boolean => {
    const auth = req.headers.authorization;
    if (!auth || !/^Digest /i.test(auth)) return false;
    const p = digestParams(auth);
    if (p.nonce !== nonce || p.uri !== req.url || p.qop !== 'auth' || p.opaque !== 'opq') return false;
    if ((p.algorithm ?? 'MD5').toUpperCase() !== algorithm) return false;
    const ha1 = H(`${p.username}:${p.realm}:${password}`);
    const ha2 = H(`${req.method}:${p.uri}`);
    const expected = H(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    if (p.response !== expected) return false;
    seenNc.push(p.nc!);
    return true;
  };
  return {
    seenNc,
    rotate() {
      nonceCount++;
      nonce = `nonce-${nonceCount + 1}`;
    },
    handler: (req: Recorded, res: import('node:http').ServerResponse) => {
      if (verify(req)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, body: req.body.toString() }));
        return;
      }
      res.writeHead(401, {
        'www-authenticate': `Digest realm="api@test", qop="auth", ${offer}, nonce="${nonce}", opaque="opq"`,
        'content-type': 'application/json',
      });
      res.end('{"error":"unauthorized"}');
    },
  };
}

describe('digest (RFC 7616)', () => {
  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    it(`${algorithm}: answers the challenge, then reuses it with an incremented nc`, async () => {
      const server = digestServer(algorithm, 'pa:ss wörd');
      stub.handler = server.handler;
      const c = createConsumer({
        capability: load(cap('      type: digest\n      username: "{{env.USER}}"\n      password: "{{env.PASS}}"')),
        env,
        baseUriOverrides: { api: `${stub.url}/api` },
      });
      const r = await c.call('api', 'list', { page: 1 });
      expect(r.status).toBe(200);
      expect(stub.requests).toHaveLength(2); // challenge + answer
      expect(stub.requests[0]!.headers.authorization).toBeUndefined();
      await c.call('api', 'list', { page: 2 });
      expect(stub.requests).toHaveLength(3); // preemptive with the cached challenge
      expect(server.seenNc).toEqual(['00000001', '00000002']);
      await c.close();
    });
  }

  it('prefers SHA-256 when both algorithms are offered', async () => {
    const server = digestServer('SHA-256', 'pa:ss wörd');
    stub.handler = (req, res) => {
      if (req.headers.authorization) return server.handler(req, res);
      res.writeHead(401, {
        'www-authenticate': [
          'Digest realm="api@test", qop="auth", algorithm=MD5, nonce="nonce-1", opaque="opq"',
          'Digest realm="api@test", qop="auth", algorithm=SHA-256, nonce="nonce-1", opaque="opq"',
        ],
      });
      res.end();
    };
    const c = createConsumer({
      capability: load(cap('      type: digest\n      username: "{{env.USER}}"\n      password: "{{env.PASS}}"')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    expect((await c.call('api', 'list', {})).status).toBe(200);
    expect(String(stub.requests[1]!.headers.authorization)).toContain('algorithm=SHA-256');
    await c.close();
  });

  it('POST is answered once after the challenge (the first request was rejected unprocessed)', async () => {
    const server = digestServer('MD5', 'pa:ss wörd');
    stub.handler = server.handler;
    const c = createConsumer({
      capability: load(cap('      type: digest\n      username: "{{env.USER}}"\n      password: "{{env.PASS}}"')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    const r = await c.call('api', 'create', { body: { n: 1 } });
    expect(r.body).toEqual({ ok: true, body: '{"n":1}' });
    expect(stub.requests.map((q) => q.body.toString())).toEqual(['{"n":1}', '{"n":1}']);
    await c.close();
  });

  it('a wrong password gives UPSTREAM_STATUS 401 after exactly one retry, no loop', async () => {
    const server = digestServer('MD5', 'other');
    stub.handler = server.handler;
    const c = createConsumer({
      capability: load(cap('      type: digest\n      username: "{{env.USER}}"\n      password: "{{env.PASS}}"')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    const err = (await c.call('api', 'list', {}).catch((e: unknown) => e)) as ConsumerError;
    expect(err.code).toBe('UPSTREAM_STATUS');
    expect(err.status).toBe(401);
    expect(stub.requests).toHaveLength(2);
    expect(JSON.stringify(err)).not.toContain('pa:ss');
    await c.close();
  });

  it('a stale nonce is re-challenged and answered once more', async () => {
    const server = digestServer('SHA-256', 'pa:ss wörd');
    stub.handler = server.handler;
    const c = createConsumer({
      capability: load(cap('      type: digest\n      username: "{{env.USER}}"\n      password: "{{env.PASS}}"')),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    await c.call('api', 'list', {});
    server.rotate();
    expect((await c.call('api', 'list', {})).status).toBe(200);
    expect(stub.requests).toHaveLength(4);
    await c.close();
  });

  it('parseChallenges reads several challenges and quoted commas', () => {
    expect(parseChallenges('Basic realm="a, b", Digest realm="x", nonce="n", qop="auth,auth-int"')).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' } },
      { scheme: 'digest', params: { realm: 'x', nonce: 'n', qop: 'auth,auth-int' } },
    ]);
  });
});

// ---------------------------------------------------------------------------
// OAuth2 client credentials
// ---------------------------------------------------------------------------

describe('oauth2 client credentials', () => {
  function oauthCap(tokenUrl: string) {
    return cap(
      `      type: oauth2
      authorizationServerUri: ${tokenUrl}
      tokenEndpoint: ${tokenUrl}
      resource: https://api.test
      scopes: [read, write]
      clientId: my-client
      clientSecret: "{{env.PASS}}"`,
    );
  }

  function oauthServer() {
    let issued = 0;
    const valid = new Set<string>();
    const tokenRequests: Recorded[] = [];
    const apiRequests: Recorded[] = [];
    let holdToken: (() => void) | undefined;
    let gate: Promise<void> | undefined;
    return {
      tokenRequests,
      apiRequests,
      valid,
      /** Keep token responses pending until release(). */
      hold() {
        gate = new Promise<void>((r) => (holdToken = r));
      },
      release() {
        holdToken?.();
        gate = undefined;
      },
      handler: (req: Recorded, res: import('node:http').ServerResponse) => {
        if (req.path === '/token') {
          tokenRequests.push(req);
          const answer = () => {
            const form = new URLSearchParams(req.body.toString());
            const expected = `Basic ${Buffer.from('my-client:pa%3Ass+w%C3%B6rd').toString('base64')}`;
            if (
              req.method !== 'POST' ||
              req.headers['content-type'] !== 'application/x-www-form-urlencoded' ||
              req.headers.authorization !== expected ||
              form.get('grant_type') !== 'client_credentials' ||
              form.get('scope') !== 'read write' ||
              form.get('resource') !== 'https://api.test'
            ) {
              res.writeHead(400, { 'content-type': 'application/json' });
              res.end('{"error":"invalid_client"}');
              return;
            }
            issued++;
            const token = `at-${issued}`;
            valid.add(token);
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
          };
          if (gate) void gate.then(answer);
          else answer();
          return;
        }
        apiRequests.push(req);
        const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!valid.has(token)) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end('{"error":"invalid_token"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token }));
      },
    };
  }

  it('fetches a token once, caches it, and refreshes it before expiry (skew)', async () => {
    const server = oauthServer();
    stub.handler = server.handler;
    let now = 1_000_000;
    const c = createConsumer({
      capability: load(oauthCap(`${stub.url}/token`)),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
      clock: () => now,
      oauth2: { refreshSkewMs: 30_000 },
    });
    expect(c.problems).toEqual([]);
    expect((await c.call('api', 'list', {})).body).toEqual({ token: 'at-1' });
    expect((await c.call('api', 'list', {})).body).toEqual({ token: 'at-1' });
    expect(server.tokenRequests).toHaveLength(1);
    now += 600_000 - 30_001; // just before the refresh point
    expect((await c.call('api', 'list', {})).body).toEqual({ token: 'at-1' });
    now += 2; // past expiry - skew
    expect((await c.call('api', 'list', {})).body).toEqual({ token: 'at-2' });
    expect(server.tokenRequests).toHaveLength(2);
    expect(c.secretValues()).toEqual(expect.arrayContaining(['at-1', 'at-2', 'pa:ss wörd']));
    await c.close();
  });

  it('concurrent callers share one in-flight token request', async () => {
    const server = oauthServer();
    stub.handler = server.handler;
    server.hold();
    const c = createConsumer({
      capability: load(oauthCap(`${stub.url}/token`)),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    const calls = Array.from({ length: 5 }, () => c.call('api', 'list', {}));
    // Release the token only once it has been asked for.
    while (server.tokenRequests.length === 0) await new Promise((r) => setImmediate(r));
    server.release();
    const results = await Promise.all(calls);
    expect(results.map((r) => r.body)).toEqual(Array(5).fill({ token: 'at-1' }));
    expect(server.tokenRequests).toHaveLength(1);
    await c.close();
  });

  it('a 401 with a cached token refreshes it and retries once (POST too)', async () => {
    const server = oauthServer();
    stub.handler = server.handler;
    const c = createConsumer({
      capability: load(oauthCap(`${stub.url}/token`)),
      env,
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    await c.call('api', 'list', {});
    server.valid.clear(); // the upstream revokes at-1
    const r = await c.call('api', 'create', { body: { x: 1 } });
    expect(r.body).toEqual({ token: 'at-2' });
    expect(server.apiRequests.map((q) => `${q.method} ${q.headers.authorization}`)).toEqual([
      'GET Bearer at-1',
      'POST Bearer at-1',
      'POST Bearer at-2',
    ]);
    await c.close();
  });

  it('a refused client gives a typed error without the secret', async () => {
    const server = oauthServer();
    stub.handler = server.handler;
    const c = createConsumer({
      capability: load(oauthCap(`${stub.url}/token`)),
      env: { ...env, T_PASS: 'wrong-secret' },
      baseUriOverrides: { api: `${stub.url}/api` },
    });
    const err = (await c.call('api', 'list', {}).catch((e: unknown) => e)) as ConsumerError;
    expect(ConsumerError.isInstance(err)).toBe(true);
    expect(err.code).toBe('UPSTREAM_STATUS');
    expect(err.phase).toBe('token');
    expect(err.status).toBe(400);
    expect(JSON.stringify(err) + err.message).not.toContain('wrong-secret');
    expect(server.apiRequests).toHaveLength(0);
    await c.close();
  });
});
