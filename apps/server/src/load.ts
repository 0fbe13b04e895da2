import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasErrors, parseCapability } from '@naftiko-ts/spec';
import type { Capability, Diagnostic } from '@naftiko-ts/spec';
import { ServerError } from './errors.js';

/** The seed capability shipped inside this package (served when `serve` gets no path). */
export const SEED_CAPABILITY_FILE = fileURLToPath(
  new URL('../capabilities/storefront-token-customer-impersonation-token.yaml', import.meta.url),
);

export interface LoadedFile {
  /** The path as found (relative paths stay relative to the working directory). */
  file: string;
  /** The model; absent when the file could not be parsed at all. */
  capability: Capability | undefined;
  diagnostics: Diagnostic[];
  errors: boolean;
}

export interface LoadOptions {
  strict?: boolean;
}

const CAPABILITY_FILE = /\.ya?ml$/i;

/**
 * Expands files and directories into capability files: a directory contributes its own
 * `*.yaml` / `*.yml` files (not sub-directories, which often hold imported fragments), sorted.
 * Duplicates are dropped. A path that does not exist is a usage error.
 */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = path.resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(file);
    }
  };
  for (const p of paths) {
    let stat;
    try {
      stat = statSync(p);
    } catch (cause) {
      throw new ServerError('SERVER_USAGE', `${p}: no such file or directory`, { cause });
    }
    if (stat.isDirectory()) {
      const files = readdirSync(p, { withFileTypes: true })
        .filter((e) => e.isFile() && CAPABILITY_FILE.test(e.name))
        .map((e) => e.name)
        .sort();
      if (files.length === 0) throw new ServerError('SERVER_USAGE', `${p}: no *.yaml or *.yml files in this directory`);
      for (const name of files) add(path.join(p, name));
    } else {
      add(p);
    }
  }
  return out;
}

/** A file reader for imported consumes, resolving relative to the importing file. */
export function fileReaderFor(file: string): (location: string) => string {
  const dir = path.dirname(path.resolve(file));
  return (location: string) => {
    const target = location.startsWith('file://') ? fileURLToPath(location) : path.resolve(dir, location);
    return readFileSync(target, 'utf8');
  };
}

/** Reads and parses one capability file (fs lives here, the spec package stays pure). */
export function loadFile(file: string, options: LoadOptions = {}): LoadedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ServerError('SERVER_LOAD', `${file}: cannot read (${code})`, { cause });
  }
  const { capability, diagnostics } = parseCapability(text, {
    source: file,
    strict: options.strict ?? false,
    readFile: fileReaderFor(file),
  });
  return { file, capability: capability ?? undefined, diagnostics: [...diagnostics], errors: hasErrors(diagnostics) };
}

/**
 * Loads capability files and directories (no path → the embedded seed). Never throws for
 * diagnostics: callers decide (validate prints them, serve refuses to start on errors).
 */
export function loadCapabilities(paths: readonly string[], options: LoadOptions = {}): LoadedFile[] {
  const files = paths.length === 0 ? [SEED_CAPABILITY_FILE] : expandPaths(paths);
  return files.map((file) => loadFile(file, options));
}
