import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from './args.js';

export type Logger = PinoLogger;

/** Values replaced in every log line, whatever field they end up in. */
export class SecretRedactor {
  readonly #values = new Set<string>();
  #patterns: string[] = [];

  add(values: Iterable<string>): void {
    for (const v of values) {
      // Very short values would redact innocent text; secrets are never that short.
      if (typeof v === 'string' && v.length >= 4) this.#values.add(v);
    }
    const forms = new Set<string>();
    for (const v of this.#values) {
      forms.add(v);
      forms.add(JSON.stringify(v).slice(1, -1)); // as it appears inside a JSON string
    }
    // Longest first so that a secret containing another is replaced whole.
    this.#patterns = [...forms].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const p of this.#patterns) if (out.includes(p)) out = out.split(p).join('[REDACTED]');
    return out;
  }
}

/** Header and field paths that may carry credentials, redacted by pino before serialising. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers.cookie',
  'secrets',
  'secret',
  'token',
  'password',
];

const redactors = new WeakMap<object, SecretRedactor>();

/** The redactor behind a logger made by {@link createLogger} (so secrets found later reach it). */
export function redactorOf(logger: object): SecretRedactor | undefined {
  return redactors.get(logger);
}

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Pretty output (default: when stderr is a terminal). */
  pretty?: boolean;
  /** Where lines go; default stderr (stdout stays for machine output and MCP stdio). */
  destination?: NodeJS.WritableStream;
  redactor?: SecretRedactor;
}

const require = createRequire(import.meta.url);

/** pino-pretty (29 modules) is loaded only when pretty output is wanted: not in production. */
function loadPretty(): typeof PinoPretty {
  const mod = require('pino-pretty') as typeof PinoPretty & { default?: typeof PinoPretty };
  return mod.default ?? mod;
}

/**
 * The server's pino logger: JSON lines on stderr, pretty in a terminal, with both path-based
 * redaction and value-based redaction of every secret the consumers resolved.
 */
export function createLogger(options: CreateLoggerOptions = {}): { logger: Logger; redactor: SecretRedactor } {
  const redactor = options.redactor ?? new SecretRedactor();
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination = usePretty
    ? loadPretty()({
        destination: options.destination ?? 2,
        sync: true,
        colorize: options.destination === undefined,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : (options.destination ?? pino.destination({ dest: 2, sync: true }));
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (s: string) => redactor.redact(s) },
    },
    destination as pino.DestinationStream,
  );
  redactors.set(logger, redactor);
  return { logger, redactor };
}
