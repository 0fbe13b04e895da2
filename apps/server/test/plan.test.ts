import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCapability } from '@naftiko-ts/spec';
import type { Capability, McpAdapter, RestAdapter } from '@naftiko-ts/spec';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../src/errors.js';
import { planListeners, routeKey } from '../src/plan.js';
import { exposedSecretValues, exposureWarnings } from '../src/server.js';
import { fixtures } from './helpers.js';

const minimal = readFileSync(path.join(fixtures, 'good/minimal.yaml'), 'utf8');

/** The minimal fixture with its namespaces (and optionally paths, tool names, ports) changed. */
function variant(
  name: string,
  edit: (text: string) => string = (t) => t,
): { file: string; capability: Capability } {
  const text = edit(minimal.replaceAll('echo-', `${name}-`));
  const { capability, diagnostics } = parseCapability(text, { source: `${name}.yaml` });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !capability) throw new Error(JSON.stringify(errors));
  return { file: `${name}.yaml`, capability };
}

const distinct = (n: string) => (t: string) => t.replace('/v1/items/{itemId}', `/v1/${n}/{itemId}`).replace('name: get-item\n          description', `name: get-${n}\n          description`);

function conflict(fn: () => unknown): ServerError {
  try {
    fn();
  } catch (e) {
    expect(ServerError.isInstance(e)).toBe(true);
    expect((e as ServerError).code).toBe('SERVER_CONFLICT');
    return e as ServerError;
  }
  throw new Error('expected a conflict');
}

describe('listener planning', () => {
  it('adapters of several files on the same declared ports merge onto one listener per port', () => {
    const plan = planListeners([variant('a', distinct('a')), variant('b', distinct('b'))]);
    expect(plan.listeners.map((l) => [l.kind, l.port, l.host, l.adapters.map((e) => e.file)])).toEqual([
      ['rest', 8080, '127.0.0.1', ['a.yaml', 'b.yaml']],
      ['mcp', 9090, '127.0.0.1', ['a.yaml', 'b.yaml']],
    ]);
    expect(plan.renames).toEqual([]);
  });

  it('different declared ports stay separate listeners; --rest-port/--mcp-port override every adapter', () => {
    const b = variant('b', (t) => distinct('b')(t).replace('port: 8080', 'port: 8081').replace('port: 9090', 'port: 9091'));
    const plan = planListeners([variant('a', distinct('a')), b]);
    expect(plan.listeners.map((l) => `${l.kind}:${l.port}`)).toEqual(['rest:8080', 'mcp:9090', 'rest:8081', 'mcp:9091']);
    const overridden = planListeners([variant('a', distinct('a')), b], { restPort: 0, mcpPort: 0, host: '::1' });
    expect(overridden.listeners.map((l) => [l.kind, l.port, l.host, l.adapters.length])).toEqual([
      ['rest', 0, '::1', 2],
      ['mcp', 0, '::1', 2],
    ]);
  });

  it('a route or tool served by two files is refused, naming both files and the way out', () => {
    const e = conflict(() => planListeners([variant('a'), variant('b')]));
    expect(e.details).toEqual([
      'port 8080: route `GET /v1/items/{itemId}` is served by both a.yaml and b.yaml; serve them on different ports (--rest-port) or pass --on-conflict rename',
      'port 9090: tool `get-item` is served by both a.yaml and b.yaml; serve them on different ports (--mcp-port) or pass --on-conflict rename',
    ]);
  });

  it('routes collide on their shape, whatever the variable names', () => {
    const b = variant('b', (t) => t.replace('/v1/items/{itemId}', '/v1/items/{id}').replace('name: get-item\n          description', 'name: other\n          description'));
    const e = conflict(() => planListeners([variant('a'), b]));
    expect(e.details).toHaveLength(1);
    expect(e.details[0]).toContain('route `GET /v1/items/{id}` is served by both a.yaml and b.yaml');
    const route = (b.capability.exposes[0] as RestAdapter).routes[0]!;
    expect(routeKey(route.method, route.path)).toBe('GET /v1/items/{}');
  });

  it('--on-conflict rename keeps the first and qualifies the later ones', () => {
    const plan = planListeners([variant('a'), variant('b'), variant('c')], { onConflict: 'rename' });
    const rest = plan.listeners[0]!.adapters.map((e) => (e.adapter as RestAdapter).routes[0]!.path.raw);
    const mcp = plan.listeners[1]!.adapters.map((e) => (e.adapter as McpAdapter).tools[0]!);
    expect(rest).toEqual(['/v1/items/{itemId}', '/b-rest/v1/items/{itemId}', '/c-rest/v1/items/{itemId}']);
    expect(mcp.map((t) => t.name)).toEqual(['get-item', 'get-item_2', 'get-item_3']);
    expect(mcp[1]!.description).toBe('Get one item. (from b.yaml)');
    expect(plan.renames).toContainEqual({ kind: 'tool', file: 'b.yaml', from: 'get-item', to: 'get-item_2', keptBy: 'a.yaml' });
    expect(plan.renames).toContainEqual({
      kind: 'route',
      file: 'c.yaml',
      from: 'GET /v1/items/{itemId}',
      to: 'GET /c-rest/v1/items/{itemId}',
      keptBy: 'a.yaml',
    });
    // The renamed route keeps its call and its variables.
    const renamed = (plan.listeners[0]!.adapters[1]!.adapter as RestAdapter).routes[0]!;
    expect(renamed.path.variables).toEqual(['itemId']);
    expect(renamed.call?.target).toBe('b-api.get-item');
    // The model the spec returned is not mutated.
    expect((variant('b').capability.exposes[0] as RestAdapter).routes[0]!.path.raw).toBe('/v1/items/{itemId}');
  });

  it('a REST and an MCP adapter on the same port cannot share it', () => {
    const b = variant('b', (t) => distinct('b')(t).replace('port: 9090', 'port: 8080').replace('port: 8080\n      resources', 'port: 8082\n      resources'));
    const e = conflict(() => planListeners([variant('a', distinct('a')), b]));
    expect(e.details[0]).toMatch(/^port 8080: REST adapter `a-rest` \(a\.yaml\) and MCP adapter `b-mcp` \(b\.yaml\) cannot share one listener/);
  });

  it('adapters declaring different exposed-side authentication cannot share a listener', () => {
    const withAuth = (t: string) =>
      distinct('b')(t).replace(
        '      port: 9090\n',
        '      port: 9090\n      authentication:\n        type: bearer\n        token: "{{MCP_TOKEN}}"\n',
      );
    const e = conflict(() => planListeners([variant('a', distinct('a')), variant('b', withAuth)]));
    expect(e.details[0]).toContain('declare different `authentication`');
  });

  it('--stdio takes the MCP adapters off HTTP; REST only with an explicit --rest-port', () => {
    const plan = planListeners([variant('a', distinct('a'))], { stdio: true });
    expect(plan.listeners).toEqual([]);
    expect(plan.stdio.map((e) => e.adapter.namespace)).toEqual(['a-mcp']);
    const withRest = planListeners([variant('a', distinct('a'))], { stdio: true, restPort: 0 });
    expect(withRest.listeners.map((l) => l.kind)).toEqual(['rest']);
  });
});

describe('exposure warnings', () => {
  it('warn when a non-loopback listener serves an adapter without authentication', () => {
    const plan = planListeners([variant('a', distinct('a'))], { host: '0.0.0.0' });
    const warnings = exposureWarnings(plan.listeners);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^listening on 0\.0\.0\.0:8080 without exposed-side authentication \(a-rest\)/);
    expect(exposureWarnings(planListeners([variant('a', distinct('a'))]).listeners)).toEqual([]);
    expect(exposureWarnings(planListeners([variant('a', distinct('a'))], { host: '::1' }).listeners)).toEqual([]);
  });
});

describe('exposed-side secrets', () => {
  it('the values behind exposed-side authentication are collected for log redaction', () => {
    const withAuth = (t: string) =>
      t
        .replace('capability:\n', 'binds:\n  - namespace: env\n    keys:\n      MCP_TOKEN: MCP_TOKEN_SOURCE\ncapability:\n')
        .replace('      port: 9090\n', '      port: 9090\n      authentication:\n        type: bearer\n        token: "{{env.MCP_TOKEN}}"\n');
    const file = variant('a', withAuth);
    expect(exposedSecretValues([file], { MCP_TOKEN_SOURCE: 'exposed-secret-1234' })).toEqual(['exposed-secret-1234']);
    expect(exposedSecretValues([variant('b')], { MCP_TOKEN_SOURCE: 'x' })).toEqual([]);
  });
});
