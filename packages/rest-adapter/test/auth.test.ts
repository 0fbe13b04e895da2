import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestApp, RestAdapterError } from '../src/index.js';
import { consumerFor, logSink, parse, startStub, type Stub } from './helpers.js';

const EXPOSED = 'exposed-Token-123';

function capabilityWith(auth: string): ReturnType<typeof parse> {
  return parse(`naftiko: 1.0.0-alpha2
info:
  label: Auth test
  description: exposed authentication
binds:
- namespace: env
  keys:
    UPSTREAM_KEY: TEST_UPSTREAM_KEY
    EXPOSED_TOKEN: TEST_EXPOSED_TOKEN
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://upstream.invalid
    resources:
    - name: things
      path: /things
      operations:
      - name: list
        method: GET
  exposes:
  - type: rest
    namespace: auth-rest
    port: 8080
${auth.replace(/^/gm, '    ')}
    resources:
    - path: /v1/things
      name: things
      operations:
      - method: GET
        name: list
        call: up.list
`);
}

describe('exposed-side authentication', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub();
  });
  afterAll(() => stub.close());

  async function appFor(auth: string, exposedSecrets: Record<string, string> = { EXPOSED_TOKEN: EXPOSED }) {
    const capability = capabilityWith(auth);
    const consumer = consumerFor(capability, stub.url);
    const logs = logSink();
    const app = await createRestApp({ capability, consumer, exposedSecrets, logger: { level: 'debug', stream: logs.stream } as never });
    return { app, consumer, logs, close: async () => (await app.close(), await consumer.close()) };
  }

  it('bearer: 401 with WWW-Authenticate without or with a wrong token; 200 with the token', async () => {
    const { app, close, logs } = await appFor(`authentication:\n  type: bearer\n  token: '{{env.EXPOSED_TOKEN}}'`);
    stub.requests.length = 0;
    const none = await app.inject({ method: 'GET', url: '/v1/things' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="auth-rest"');
    expect(none.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(none.json().type).toBe('urn:naftiko-ts:problem:unauthorized');
    const wrong = await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: `Bearer ${EXPOSED}x` } });
    expect(wrong.statusCode).toBe(401);
    const prefix = await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: `Bearer ${EXPOSED.slice(0, -1)}` } });
    expect(prefix.statusCode).toBe(401);
    expect(stub.requests).toHaveLength(0);
    const ok = await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: `bearer ${EXPOSED}` } });
    expect(ok.statusCode).toBe(200);
    expect(stub.requests).toHaveLength(1);
    // The caller's credential is never forwarded upstream.
    expect(stub.requests[0]!.headers['authorization']).toBeUndefined();
    await close();
    expect(logs.text()).not.toContain(EXPOSED);
  });

  it('apikey in a header', async () => {
    const { app, close } = await appFor(`authentication:\n  type: apikey\n  key: X-API-Key\n  value: '{{env.EXPOSED_TOKEN}}'\n  placement: header`);
    const none = await app.inject({ method: 'GET', url: '/v1/things' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('ApiKey');
    expect((await app.inject({ method: 'GET', url: '/v1/things', headers: { 'x-api-key': 'nope' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/things', headers: { 'x-api-key': EXPOSED } })).statusCode).toBe(200);
    await close();
  });

  it('apikey in the query string, which is never forwarded upstream', async () => {
    const { app, close } = await appFor(`authentication:\n  type: apikey\n  key: api_key\n  value: '{{env.EXPOSED_TOKEN}}'\n  placement: query`);
    stub.requests.length = 0;
    expect((await app.inject({ method: 'GET', url: '/v1/things?api_key=wrong' })).statusCode).toBe(401);
    const ok = await app.inject({ method: 'GET', url: `/v1/things?api_key=${EXPOSED}` });
    expect(ok.statusCode).toBe(200);
    expect(stub.requests[0]!.url).not.toContain(EXPOSED);
    await close();
  });

  it('basic (literal username, secret password)', async () => {
    const { app, close } = await appFor(`authentication:\n  type: basic\n  username: gateway\n  password: '{{env.EXPOSED_TOKEN}}'`);
    const enc = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;
    const none = await app.inject({ method: 'GET', url: '/v1/things' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="auth-rest", charset="UTF-8"');
    expect((await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: enc(`gateway:${EXPOSED}x`) } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: enc(`other:${EXPOSED}`) } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: enc(`gateway:${EXPOSED}`) } })).statusCode).toBe(200);
    await close();
  });

  it('healthz and readyz stay open; openapi.json and metrics require the credential', async () => {
    const { app, close } = await appFor(`authentication:\n  type: bearer\n  token: '{{env.EXPOSED_TOKEN}}'`);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${EXPOSED}` };
    expect((await app.inject({ method: 'GET', url: '/openapi.json', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: auth })).statusCode).toBe(200);
    await close();
  });

  it('the secret can come from the environment (`env` option, by source key) and is reported to onSecrets', async () => {
    const capability = capabilityWith(`authentication:\n  type: bearer\n  token: '{{env.EXPOSED_TOKEN}}'`);
    const consumer = consumerFor(capability, stub.url);
    const reported: string[] = [];
    const app = await createRestApp({ capability, consumer, env: { TEST_EXPOSED_TOKEN: 'from-env-42' }, onSecrets: (v) => reported.push(...v) });
    expect(reported).toContain('from-env-42');
    expect((await app.inject({ method: 'GET', url: '/v1/things', headers: { authorization: 'Bearer from-env-42' } })).statusCode).toBe(200);
    await app.close();
    await consumer.close();
  });

  it('refuses to start when the exposed secret is not set, naming the variable', async () => {
    const capability = capabilityWith(`authentication:\n  type: bearer\n  token: '{{env.EXPOSED_TOKEN}}'`);
    const consumer = consumerFor(capability, stub.url);
    const err = await createRestApp({ capability, consumer, env: {} }).catch((e: unknown) => e);
    await consumer.close();
    expect(RestAdapterError.isInstance(err)).toBe(true);
    expect((err as RestAdapterError).code).toBe('REST_AUTH_SECRET_MISSING');
    expect((err as Error).message).toContain('TEST_EXPOSED_TOKEN');
  });

  it('refuses to serve unprotected when the auth type is not enforceable', async () => {
    const capability = capabilityWith(`authentication:\n  type: digest\n  username: a\n  password: b`);
    const consumer = consumerFor(capability, stub.url);
    const err = await createRestApp({ capability, consumer }).catch((e: unknown) => e);
    await consumer.close();
    expect(RestAdapterError.isInstance(err)).toBe(true);
    expect((err as RestAdapterError).code).toBe('REST_AUTH_UNSUPPORTED');
  });
});
