import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ServerError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const CONFLICT_POLICIES = ['fail', 'rename'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export interface ServeArgs {
  paths: string[];
  vars: Record<string, string>;
  baseUris: Record<string, string>;
  host?: string;
  restPort?: number;
  mcpPort?: number;
  envFile?: string;
  stdio: boolean;
  logLevel: LogLevel;
  strict: boolean;
  onConflict: ConflictPolicy;
}

export interface ValidateArgs {
  paths: string[];
  strict: boolean;
  format: 'text' | 'json';
}

export interface OpenApiArgs {
  file: string;
  strict: boolean;
}

function usage(message: string): ServerError {
  return new ServerError('SERVER_USAGE', message);
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new ServerError('SERVER_USAGE', (cause as Error).message, { cause });
  }
}

/** `NAME=VALUE` pairs of a repeatable flag. The value may contain `=`; the name may not be empty. */
export function parsePairs(flag: string, items: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usage(`${flag} expects NAME=VALUE, got \`${item}\``);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function parsePort(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw usage(`${flag} expects a port number between 0 and 65535, got \`${value}\``);
  }
  return Number(value);
}

export function parseServeArgs(args: string[]): ServeArgs {
  const { values, positionals } = parse(args, {
    var: { type: 'string', multiple: true },
    'base-uri': { type: 'string', multiple: true },
    host: { type: 'string' },
    'rest-port': { type: 'string' },
    'mcp-port': { type: 'string' },
    'env-file': { type: 'string' },
    stdio: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    strict: { type: 'boolean', default: false },
    'on-conflict': { type: 'string', default: 'fail' },
  });
  const logLevel = String(values['log-level']);
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw usage(`--log-level expects one of ${LOG_LEVELS.join(', ')}, got \`${logLevel}\``);
  }
  const onConflict = String(values['on-conflict']);
  if (!(CONFLICT_POLICIES as readonly string[]).includes(onConflict)) {
    throw usage(`--on-conflict expects one of ${CONFLICT_POLICIES.join(', ')}, got \`${onConflict}\``);
  }
  const host = values.host as string | undefined;
  if (host !== undefined && host.trim() === '') throw usage('--host expects an address, got an empty string');
  const baseUris = parsePairs('--base-uri', values['base-uri'] as string[] | undefined);
  for (const [ns, url] of Object.entries(baseUris)) {
    if (!/^https?:\/\//i.test(url)) throw usage(`--base-uri ${ns}= expects an http(s) URL, got \`${url}\``);
  }
  const out: ServeArgs = {
    paths: positionals,
    vars: parsePairs('--var', values.var as string[] | undefined),
    baseUris,
    stdio: values.stdio === true,
    logLevel: logLevel as LogLevel,
    strict: values.strict === true,
    onConflict: onConflict as ConflictPolicy,
  };
  if (host !== undefined) out.host = host;
  const restPort = parsePort('--rest-port', values['rest-port'] as string | undefined);
  if (restPort !== undefined) out.restPort = restPort;
  const mcpPort = parsePort('--mcp-port', values['mcp-port'] as string | undefined);
  if (mcpPort !== undefined) out.mcpPort = mcpPort;
  const envFile = values['env-file'] as string | undefined;
  if (envFile !== undefined) out.envFile = envFile;
  return out;
}

export function parseValidateArgs(args: string[]): ValidateArgs {
  const { values, positionals } = parse(args, {
    strict: { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
  });
  const format = String(values.format);
  if (format !== 'text' && format !== 'json') throw usage(`--format expects text or json, got \`${format}\``);
  if (positionals.length === 0) throw usage('validate expects at least one FILE or DIR');
  return { paths: positionals, strict: values.strict === true, format };
}

export function parseOpenApiArgs(args: string[]): OpenApiArgs {
  const { values, positionals } = parse(args, { strict: { type: 'boolean', default: false } });
  if (positionals.length > 1) throw usage('openapi expects at most one FILE');
  return { file: positionals[0] ?? '', strict: values.strict === true };
}
