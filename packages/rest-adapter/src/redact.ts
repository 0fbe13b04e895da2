/**
 * Secrets never reach a log line: pino `redact` paths for credential headers, plus a `streamWrite`
 * hook that replaces every known secret value in the final line (whatever field it hides in).
 */
import type { FastifyServerOptions } from 'fastify';

/** Pino options as fastify's `logger` option takes them. */
export type PinoLoggerOptions = Exclude<NonNullable<FastifyServerOptions['logger']>, boolean>;

export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of the secrets (raw and JSON-escaped) in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length === 0) continue;
    if (out.includes(s)) out = out.replaceAll(s, REDACTED);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.replaceAll(escaped, REDACTED);
  }
  return out;
}

/** A live set of secret values, filled as adapters are prepared. */
export class SecretSet {
  #values: string[] = [];

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  add(values: Iterable<string>): void {
    for (const v of values) {
      // Very short values would redact ordinary text; they are still never logged on purpose.
      if (typeof v === 'string' && v.length >= 4 && !this.#values.includes(v)) this.#values.push(v);
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.#values.sort((a, b) => b.length - a.length);
  }

  get values(): readonly string[] {
    return this.#values;
  }

  redact(text: string): string {
    return this.#values.length === 0 ? text : redactText(text, this.#values);
  }

  /** Never prints the values. */
  toString(): string {
    return `SecretSet(${this.#values.length})`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Header paths redacted in every log line (request serializers and anything logging headers). */
export function redactPaths(headerNames: readonly string[] = []): string[] {
  const names = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-auth-token', 'x-api-key', ...headerNames.map((h) => h.toLowerCase())]);
  const paths: string[] = [];
  for (const n of names) {
    for (const prefix of ['req.headers', 'headers', 'request.headers', 'res.headers']) paths.push(`${prefix}[${JSON.stringify(n)}]`);
  }
  return paths;
}

/**
 * Pino options for fastify's `logger` that redact credential headers and every value of `secrets`
 * (a `SecretSet` may keep growing after the logger is built). Merges with `base`.
 */
export function redactingLoggerOptions(
  secrets: SecretSet | readonly string[],
  base: PinoLoggerOptions = {},
  headerNames: readonly string[] = [],
): PinoLoggerOptions {
  const set = secrets instanceof SecretSet ? secrets : new SecretSet(secrets);
  const baseRedact = base.redact;
  const basePaths = Array.isArray(baseRedact) ? baseRedact : (baseRedact?.paths ?? []);
  const prevWrite = base.hooks?.streamWrite;
  return {
    level: 'info',
    ...base,
    redact: { paths: [...basePaths, ...redactPaths(headerNames)], censor: REDACTED },
    hooks: {
      ...base.hooks,
      streamWrite(s: string): string {
        const out = set.redact(s);
        return prevWrite === undefined ? out : prevWrite(out);
      },
    },
  };
}
