/**
 * Listener planning: which adapters of which files share which listener.
 *
 * Adapters of the same type that end up on the same port (the capability's port, or the
 * `--rest-port` / `--mcp-port` override) are merged onto one listener. Merging is refused when two
 * adapters from different files would serve the same route (method + path shape) or tool name,
 * when they declare different exposed-side authentication, or when a REST and an MCP adapter want
 * the same port. `onConflict: 'rename'` keeps the first occurrence and serves later ones under a
 * qualified name instead (REST: `/<adapter-namespace>` prefix; MCP: `<tool>_<n>` suffix).
 */
import type { Capability, McpAdapter, McpTool, RestAdapter, RestRoute, UrlTemplate } from '@naftiko-ts/spec';
import type { ConflictPolicy } from './args.js';
import { ServerError } from './errors.js';

export interface AdapterEntry<A extends RestAdapter | McpAdapter = RestAdapter | McpAdapter> {
  file: string;
  capability: Capability;
  adapter: A;
}

export interface RestListenerPlan {
  kind: 'rest';
  port: number;
  host: string;
  adapters: AdapterEntry<RestAdapter>[];
}

export interface McpListenerPlan {
  kind: 'mcp';
  port: number;
  host: string;
  adapters: AdapterEntry<McpAdapter>[];
}

export type ListenerPlan = RestListenerPlan | McpListenerPlan;

export interface Rename {
  kind: 'route' | 'tool';
  file: string;
  from: string;
  to: string;
  /** The file that kept the original name. */
  keptBy: string;
}

export interface Plan {
  listeners: ListenerPlan[];
  /** MCP adapters served over stdin/stdout (`--stdio`, or `transport: stdio`). */
  stdio: AdapterEntry<McpAdapter>[];
  renames: Rename[];
}

export interface PlanOptions {
  host?: string;
  restPort?: number;
  mcpPort?: number;
  /** Serve the MCP adapters on stdin/stdout; REST is then served only with an explicit `restPort`. */
  stdio?: boolean;
  onConflict?: ConflictPolicy;
}

export const DEFAULT_HOST = '127.0.0.1';
const MAX_TOOL_NAME = 64;

/** `GET /carts/{}/items`: the shape fastify routes on (variable names do not matter). */
export function routeKey(method: string, path: UrlTemplate): string {
  let shape = path.parts.map((p) => (p.kind === 'text' ? p.text : '{}')).join('');
  if (shape.length > 1 && shape.endsWith('/')) shape = shape.slice(0, -1);
  return `${method.toUpperCase()} ${shape}`;
}

function authKey(adapter: RestAdapter | McpAdapter): string {
  if (!adapter.authentication) return 'none';
  const { pointer: _pointer, ...rest } = adapter.authentication as { pointer: string };
  return JSON.stringify(rest);
}

function prefixPath(path: UrlTemplate, prefix: string): UrlTemplate {
  return { ...path, raw: prefix + path.raw, parts: [{ kind: 'text', text: prefix }, ...path.parts] };
}

function describe(e: AdapterEntry): string {
  return `${e.adapter.type.toUpperCase()} adapter \`${e.adapter.namespace}\` (${e.file})`;
}

export function planListeners(files: ReadonlyArray<{ file: string; capability: Capability }>, options: PlanOptions = {}): Plan {
  const onConflict = options.onConflict ?? 'fail';
  const problems: string[] = [];
  const renames: Rename[] = [];
  const groups = new Map<string, ListenerPlan>();
  const stdio: AdapterEntry<McpAdapter>[] = [];
  const restServed = !options.stdio || options.restPort !== undefined;

  for (const { file, capability } of files) {
    for (const adapter of capability.exposes) {
      if (adapter.type === 'mcp') {
        const entry: AdapterEntry<McpAdapter> = { file, capability, adapter };
        if (options.stdio || adapter.transport === 'stdio') {
          stdio.push(entry);
          continue;
        }
        const port = options.mcpPort ?? adapter.port;
        if (port === undefined) {
          problems.push(`${describe(entry)} has no port: declare \`port\` or pass --mcp-port`);
          continue;
        }
        const host = options.host ?? adapter.address ?? DEFAULT_HOST;
        addToGroup(groups, { kind: 'mcp', port, host, adapters: [entry] }, problems);
      } else if (adapter.type === 'rest') {
        if (!restServed) continue;
        const entry: AdapterEntry<RestAdapter> = { file, capability, adapter };
        const port = options.restPort ?? adapter.port;
        const host = options.host ?? adapter.address ?? DEFAULT_HOST;
        addToGroup(groups, { kind: 'rest', port, host, adapters: [entry] }, problems);
      }
    }
  }

  const listeners = [...groups.values()];
  for (const listener of listeners) {
    if (listener.kind === 'rest') mergeRest(listener, onConflict, problems, renames);
    else mergeMcp(listener, onConflict, problems, renames);
  }
  if (stdio.length > 0) {
    const fake: McpListenerPlan = { kind: 'mcp', port: -1, host: 'stdio', adapters: stdio };
    mergeMcp(fake, onConflict, problems, renames);
    stdio.splice(0, stdio.length, ...fake.adapters);
  }

  if (problems.length > 0) {
    throw new ServerError('SERVER_CONFLICT', 'adapters cannot share their listeners', { details: problems });
  }
  return { listeners, stdio, renames };
}

function addToGroup(groups: Map<string, ListenerPlan>, candidate: ListenerPlan, problems: string[]): void {
  // Port 0 asks for a free port: all adapters of one kind asking for 0 share one listener.
  const key = candidate.port === 0 ? `${candidate.kind}:0` : `port:${candidate.port}`;
  const existing = groups.get(key);
  const entry = candidate.adapters[0]!;
  if (!existing) {
    groups.set(key, candidate);
    return;
  }
  const first = existing.adapters[0]!;
  if (existing.kind !== candidate.kind) {
    problems.push(
      `port ${candidate.port}: ${describe(first)} and ${describe(entry)} cannot share one listener; ` +
        `move one with --rest-port / --mcp-port`,
    );
    return;
  }
  if (existing.host !== candidate.host) {
    problems.push(
      `port ${candidate.port}: ${describe(first)} binds ${existing.host} but ${describe(entry)} binds ${candidate.host}; ` +
        `pass --host to choose one address`,
    );
    return;
  }
  if (authKey(first.adapter) !== authKey(entry.adapter)) {
    problems.push(
      `port ${candidate.port}: ${describe(first)} and ${describe(entry)} declare different \`authentication\`; ` +
        `adapters sharing a listener must authenticate callers the same way`,
    );
    return;
  }
  (existing.adapters as AdapterEntry[]).push(entry);
}

function mergeRest(listener: RestListenerPlan, onConflict: ConflictPolicy, problems: string[], renames: Rename[]): void {
  const owners = new Map<string, AdapterEntry<RestAdapter>>();
  listener.adapters = listener.adapters.map((entry) => {
    let changed = false;
    const routes: RestRoute[] = entry.adapter.routes.map((route) => {
      const key = routeKey(route.method, route.path);
      const owner = owners.get(key);
      if (!owner) {
        owners.set(key, entry);
        return route;
      }
      if (owner.file === entry.file && owner.adapter === entry.adapter) return route; // the spec reports in-file duplicates
      const label = `${route.method} ${route.path.raw}`;
      if (onConflict === 'fail') {
        problems.push(
          `port ${listener.port}: route \`${label}\` is served by both ${owner.file} and ${entry.file}; ` +
            `serve them on different ports (--rest-port) or pass --on-conflict rename`,
        );
        return route;
      }
      const renamed: RestRoute = { ...route, path: prefixPath(route.path, `/${entry.adapter.namespace}`) };
      const renamedKey = routeKey(route.method, renamed.path);
      if (owners.has(renamedKey)) {
        problems.push(`port ${listener.port}: route \`${label}\` of ${entry.file} collides even when renamed`);
        return route;
      }
      owners.set(renamedKey, entry);
      renames.push({ kind: 'route', file: entry.file, from: label, to: `${route.method} ${renamed.path.raw}`, keptBy: owner.file });
      changed = true;
      return renamed;
    });
    return changed ? { ...entry, adapter: { ...entry.adapter, routes } } : entry;
  });
}

function mergeMcp(listener: McpListenerPlan, onConflict: ConflictPolicy, problems: string[], renames: Rename[]): void {
  const owners = new Map<string, AdapterEntry<McpAdapter>>();
  const where = listener.port === -1 ? 'stdio' : `port ${listener.port}`;
  listener.adapters = listener.adapters.map((entry) => {
    let changed = false;
    const tools: McpTool[] = entry.adapter.tools.map((tool) => {
      const owner = owners.get(tool.name);
      if (!owner) {
        owners.set(tool.name, entry);
        return tool;
      }
      if (owner.adapter === entry.adapter) return tool;
      if (onConflict === 'fail') {
        problems.push(
          `${where}: tool \`${tool.name}\` is served by both ${owner.file} and ${entry.file}; ` +
            `serve them on different ports (--mcp-port) or pass --on-conflict rename`,
        );
        return tool;
      }
      let name = '';
      for (let n = 2; ; n++) {
        const suffix = `_${n}`;
        name = tool.name.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
        if (!owners.has(name)) break;
      }
      owners.set(name, entry);
      renames.push({ kind: 'tool', file: entry.file, from: tool.name, to: name, keptBy: owner.file });
      changed = true;
      return { ...tool, name, description: `${tool.description} (from ${baseName(entry.file)})` };
    });
    return changed ? { ...entry, adapter: { ...entry.adapter, tools } } : entry;
  });
}

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return file.slice(i + 1);
}
