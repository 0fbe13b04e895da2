import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { createConsumer, ConsumerError } from '../src/index.js';
import { corpusDir, fixturesDir, hasSeed, hasShared, load, loadFile, seedFile, startStub } from './helpers.js';

const boundFile = path.join(fixturesDir, 'binds/bound.yaml');

describe.skipIf(!hasSeed)('start-up check (seed)', () => {
  it('reports a missing STORE_HASH and a missing BIGCOMMERCE_API_KEY together, naming what to set', () => {
    const consumer = createConsumer({ capability: loadFile(seedFile), env: {} });
    const names = consumer.problems.map((p) => `${p.kind}:${p.name}`).sort();
    expect(names).toEqual(['missing-secret:BIGCOMMERCE_API_KEY', 'missing-variable:store_hash']);
    const err = (() => {
      try {
        consumer.assertReady();
      } catch (e) {
        return e;
      }
      return undefined;
    })() as ConsumerError;
    expect(ConsumerError.isInstance(err)).toBe(true);
    expect(err.code).toBe('CONSUMER_CONFIG');
    expect(err.message).toContain('STORE_HASH');
    expect(err.message).toContain('--var store_hash=');
    expect(err.message).toContain('BIGCOMMERCE_API_KEY');
  });

  it('a --var wins over the environment; the upper-cased env var is the fallback; an empty value is missing', async () => {
    const stub = await startStub();
    try {
      const capability = loadFile(seedFile);
      const base = { 'storefront-token-customer-impersonation-token': `${stub.url}/stores/{store_hash}/v3` };
      const a = createConsumer({ capability, vars: { store_hash: 'fromvar' }, env: { STORE_HASH: 'fromenv', BIGCOMMERCE_API_KEY: 'k' }, baseUriOverrides: base });
      expect(a.problems).toEqual([]);
      await a.call('storefront-token-customer-impersonation-token', 'createtokenwithcustomerimpersonation', {});
      expect(stub.requests[0]!.path).toBe('/stores/fromvar/v3/storefront/api-token-customer-impersonation');
      await a.close();
      const b = createConsumer({ capability, env: { STORE_HASH: 'fromenv', BIGCOMMERCE_API_KEY: 'k' }, baseUriOverrides: base });
      await b.call('storefront-token-customer-impersonation-token', 'createtokenwithcustomerimpersonation', {});
      expect(stub.requests[1]!.path).toBe('/stores/fromenv/v3/storefront/api-token-customer-impersonation');
      await b.close();
      const c = createConsumer({ capability, env: { STORE_HASH: '', BIGCOMMERCE_API_KEY: 'k' } });
      expect(c.problems.map((p) => p.name)).toEqual(['store_hash']);
      // A call on an unresolved namespace fails with CONSUMER_CONFIG, never a request.
      await expect(
        c.call('storefront-token-customer-impersonation-token', 'createtokenwithcustomerimpersonation', {}),
      ).rejects.toMatchObject({ code: 'CONSUMER_CONFIG' });
      expect(stub.requests).toHaveLength(2);
      await c.close();
    } finally {
      await stub.close();
    }
  });

  it('explicit secrets take precedence and satisfy the check', () => {
    const consumer = createConsumer({
      capability: loadFile(seedFile),
      env: { STORE_HASH: 'x' },
      secrets: { BIGCOMMERCE_API_KEY: 'given' },
    });
    expect(consumer.problems).toEqual([]);
    expect(consumer.secretValues()).toContain('given');
  });

  it.skipIf(!hasShared)('an undeclared env key used by auth (`{{env.BIGCOMMERCE_USER}}`) reads that env var, or is reported', () => {
    const text = fs.readFileSync(path.join(corpusDir, 'tax-provider-tax-provider.yaml'), 'utf8');
    const capability = load(text);
    const missing = createConsumer({ capability, env: { APP_DOMAIN: 'x.test', BIGCOMMERCE_API_KEY: 'k' } });
    expect(missing.problems.map((p) => p.name).sort()).toEqual(['BIGCOMMERCE_PASS', 'BIGCOMMERCE_USER']);
    const ok = createConsumer({
      capability,
      env: { APP_DOMAIN: 'x.test', BIGCOMMERCE_API_KEY: 'k', BIGCOMMERCE_USER: 'u', BIGCOMMERCE_PASS: 'p' },
    });
    expect(ok.problems).toEqual([]);
  });

  it('rejects a --base-uri for an unknown namespace and a non-http baseUri', () => {
    const consumer = createConsumer({
      capability: loadFile(seedFile),
      env: { STORE_HASH: 'x', BIGCOMMERCE_API_KEY: 'k' },
      baseUriOverrides: { nope: 'http://127.0.0.1:1', 'storefront-token-customer-impersonation-token': 'ftp://x/{store_hash}' },
    });
    expect(consumer.problems.map((p) => `${p.kind}:${p.name}`)).toEqual([
      'invalid-base-uri:nope',
      'invalid-base-uri:storefront-token-customer-impersonation-token',
    ]);
  });
});

describe('file binds', () => {
  it('reads JSON and YAML bind files relative to the capability source', async () => {
    const stub = await startStub();
    try {
      const capability = loadFile(boundFile);
      const consumer = createConsumer({
        capability,
        env: {},
        baseUriOverrides: { a: `${stub.url}/a`, b: `${stub.url}/b` },
      });
      expect(consumer.problems).toEqual([]);
      await consumer.call('a', 'get', {});
      expect(stub.requests[0]!.headers.authorization).toBe('Bearer tok-from-json');
      expect(stub.requests[0]!.headers['x-nested']).toBe('nested-value');
      await consumer.call('b', 'get', {});
      expect(stub.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('yaml-user:yaml-pass').toString('base64')}`);
      await consumer.close();
    } finally {
      await stub.close();
    }
  });

  it('an unreadable bind file is a start-up problem naming the location, not its content', () => {
    const capability = loadFile(boundFile);
    const consumer = createConsumer({
      capability,
      env: {},
      readFile: (p) => {
        if (p.endsWith('secrets.yaml')) throw new Error('EACCES');
        return fs.readFileSync(p, 'utf8');
      },
    });
    expect(consumer.problems).toEqual([
      expect.objectContaining({ kind: 'unreadable-bind-file', name: 'file://secrets.yaml', namespace: 'creds' }),
    ]);
  });

  it('a key absent from the file is reported', () => {
    const capability = loadFile(boundFile);
    const consumer = createConsumer({
      capability,
      env: {},
      readFile: (p) => (p.endsWith('secrets.json') ? '{"CLIENT_TOKEN":"t"}' : fs.readFileSync(p, 'utf8')),
    });
    expect(consumer.problems.map((p) => `${p.kind}:${p.name}`)).toEqual(['missing-secret:NESTED']);
  });

  it('a bind file named .json but holding YAML text is still read (JSON first, YAML fallback)', () => {
    const capability = loadFile(boundFile);
    const consumer = createConsumer({
      capability,
      env: {},
      readFile: (p) => (p.endsWith('secrets.json') ? 'CLIENT_TOKEN: t\nnested:\n  key: n\n' : fs.readFileSync(p, 'utf8')),
    });
    expect(consumer.problems).toEqual([]);
    expect(consumer.secretValues()).toEqual(expect.arrayContaining(['t', 'yaml-pass']));
  });

  it('util.inspect and JSON of the consumer show no secret', () => {
    const consumer = createConsumer({ capability: loadFile(boundFile), env: {} });
    const shown = util.inspect(consumer, { depth: 10, showHidden: true }) + JSON.stringify(consumer);
    for (const s of ['tok-from-json', 'yaml-pass', 'nested-value']) expect(shown).not.toContain(s);
    expect(consumer.secretValues()).toEqual(expect.arrayContaining(['tok-from-json', 'yaml-pass']));
  });
});
