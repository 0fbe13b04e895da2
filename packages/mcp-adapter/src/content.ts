/**
 * MCP resources and prompts declared in capabilities: static `location` files (path-safe) and
 * prompt templates with `{{arg}}` substitution. Prepared once; files are read when asked for.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpPromptDecl, McpResourceDecl } from '@naftiko-ts/spec';
import { McpAdapterError } from './errors.js';
import type { AdapterEntry } from './registry.js';

export interface PreparedResource {
  decl: McpResourceDecl;
  source: string;
  /** Absolute path of a static file, already checked to lie inside `root`. */
  file?: string;
  root?: string;
  /** Why the resource cannot be read (dynamic resources for now). */
  unsupported?: string;
}

export interface PreparedPrompt {
  decl: McpPromptDecl;
  source: string;
  file?: string;
  root?: string;
}

export interface PreparedContent {
  resources: PreparedResource[];
  prompts: PreparedPrompt[];
}

/** Directory of the capability file, or undefined when its source is not a local file. */
function capabilityDir(source: string): string | undefined {
  if (source.startsWith('file://')) return path.dirname(fileURLToPath(source));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return undefined;
  return path.dirname(path.resolve(source));
}

/**
 * Resolve a `location` (`file://relative/path`, `file:///abs`, or a bare relative path) inside
 * `root`. Anything that escapes `root` is refused.
 */
export function resolveInside(root: string, location: string, what: string): string {
  let rel = location;
  if (rel.startsWith('file://')) {
    rel = rel.slice('file://'.length);
    try {
      rel = decodeURIComponent(rel);
    } catch {
      throw new McpAdapterError('MCP_UNSAFE_LOCATION', `${what}: location \`${location}\` is not a valid file URI.`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) {
    throw new McpAdapterError('MCP_UNSUPPORTED', `${what}: location \`${location}\` is not a \`file://\` location; only local files are served.`);
  }
  if (path.isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel)) {
    throw new McpAdapterError(
      'MCP_UNSAFE_LOCATION',
      `${what}: location \`${location}\` is an absolute path; use a path relative to the capability file.`,
    );
  }
  const resolved = path.resolve(root, rel);
  const relative = path.relative(root, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || rel.includes('\0')) {
    throw new McpAdapterError(
      'MCP_UNSAFE_LOCATION',
      `${what}: location \`${location}\` resolves outside the capability's directory; keep static files next to the capability file.`,
    );
  }
  return resolved;
}

/** Read a file after checking (again, with symlinks resolved) that it stays inside `root`. */
export async function readInside(root: string, file: string, what: string): Promise<Buffer> {
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await fs.realpath(root);
    realFile = await fs.realpath(file);
  } catch (cause) {
    throw new McpAdapterError('MCP_UNSAFE_LOCATION', `${what}: the file cannot be read.`, { cause });
  }
  const relative = path.relative(realRoot, realFile);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new McpAdapterError('MCP_UNSAFE_LOCATION', `${what}: the file resolves outside the capability's directory.`);
  }
  return fs.readFile(realFile);
}

export function prepareContent(entries: ReadonlyArray<AdapterEntry>): PreparedContent {
  const resources: PreparedResource[] = [];
  const prompts: PreparedPrompt[] = [];
  const resourceUris = new Map<string, string>();
  const promptNames = new Map<string, string>();
  for (const entry of entries) {
    const source = `${entry.capability.source}#${entry.adapter.namespace}`;
    const root = capabilityDir(entry.capability.source);
    for (const decl of entry.adapter.resources ?? []) {
      const prev = resourceUris.get(decl.uri);
      if (prev !== undefined) {
        throw new McpAdapterError('MCP_DUPLICATE_NAME', `Resource \`${decl.uri}\` is declared twice: in \`${prev}\` and in \`${source}\`.`);
      }
      resourceUris.set(decl.uri, source);
      const what = `Resource \`${decl.name}\` (${source})`;
      if (decl.location !== undefined) {
        if (!root) {
          resources.push({ decl, source, unsupported: `${what}: the capability was not loaded from a local file, so \`location\` cannot be resolved.` });
          continue;
        }
        resources.push({ decl, source, root, file: resolveInside(root, decl.location, what) });
      } else {
        resources.push({
          decl,
          source,
          unsupported: `Resource \`${decl.uri}\` is dynamic (\`${decl.mode}\`); dynamic resources are not supported yet.`,
        });
      }
    }
    for (const decl of entry.adapter.prompts ?? []) {
      const prev = promptNames.get(decl.name);
      if (prev !== undefined) {
        throw new McpAdapterError('MCP_DUPLICATE_NAME', `Prompt \`${decl.name}\` is declared twice: in \`${prev}\` and in \`${source}\`.`);
      }
      promptNames.set(decl.name, source);
      const what = `Prompt \`${decl.name}\` (${source})`;
      if (decl.location !== undefined && !decl.template) {
        if (!root) throw new McpAdapterError('MCP_UNSUPPORTED', `${what}: \`location\` needs a capability loaded from a local file.`);
        prompts.push({ decl, source, root, file: resolveInside(root, decl.location, what) });
      } else {
        prompts.push({ decl, source });
      }
    }
  }
  return { resources, prompts };
}

const TEXT_TYPES = /^(text\/|application\/(json|yaml|x-yaml|xml|javascript|ld\+json|[a-z.+-]*\+(json|xml)))/i;

export function isTextMime(mimeType: string | undefined): boolean {
  return mimeType === undefined || TEXT_TYPES.test(mimeType);
}

/** Replace `{{name}}` (optionally with spaces) by the argument value; unknown names become ''. */
export function renderTemplate(template: string, args: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}/g, (_m, name: string) => {
    const v = args[name];
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}
