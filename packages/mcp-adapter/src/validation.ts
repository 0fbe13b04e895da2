/**
 * JSON Schema validation for tool arguments, tool output and prompt arguments.
 *
 * One ajv instance per registry; every schema is compiled once at start-up. The same compiled
 * function serves the SDK (through the `jsonSchemaValidator` provider handed to `fromJsonSchema`)
 * and the hot path, so both produce the same message.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { jsonSchemaValidator, JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/server';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats =
  ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

export type CheckResult =
  | { valid: true; data: unknown; errorMessage: undefined }
  | { valid: false; data: undefined; errorMessage: string };

export type Check = (input: unknown) => CheckResult;

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

/** `/a/b/0` → `a.b[0]` */
function argumentPath(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

function describe(error: ErrorObject, subject: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const name = argumentPath(error.instancePath, String(params['missingProperty']));
      return `missing required ${subject} \`${name}\``;
    }
    case 'additionalProperties': {
      const name = argumentPath(error.instancePath, String(params['additionalProperty']));
      return `unknown ${subject} \`${name}\``;
    }
    case 'type': {
      const name = argumentPath(error.instancePath);
      if (name === '') return `${subject}s must be of type ${String(params['type'])}`;
      return `${subject} \`${name}\` must be of type ${String(params['type'])}`;
    }
    default: {
      const name = argumentPath(error.instancePath);
      const what = name === '' ? `${subject}s` : `${subject} \`${name}\``;
      return `${what} ${error.message ?? 'is invalid'}`;
    }
  }
}

/** A readable message that names the offending argument(s). */
export function formatErrors(errors: readonly ErrorObject[] | null | undefined, subject = 'argument'): string {
  if (!errors || errors.length === 0) return `invalid ${subject}s`;
  const seen = new Set<string>();
  for (const e of errors) {
    // `if/then` and combinator wrappers repeat their inner errors; keep the specific ones.
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    seen.add(describe(e, subject));
  }
  if (seen.size === 0) seen.add(describe(errors[0]!, subject));
  return [...seen].join('; ');
}

export function toCheck(validate: ValidateFunction, subject = 'argument'): Check {
  return (input: unknown) => {
    if (validate(input)) return { valid: true, data: input, errorMessage: undefined };
    return { valid: false, data: undefined, errorMessage: formatErrors(validate.errors, subject) };
  };
}

/**
 * A `jsonSchemaValidator` provider (the MCP SDK's extension point) that hands out checks compiled
 * ahead of time. `getValidator` never compiles on a request: unknown schemas are compiled once and
 * cached by identity.
 */
export class PrecompiledValidators implements jsonSchemaValidator {
  private readonly checks = new WeakMap<object, Check>();

  private instance: Ajv2020 | undefined;

  constructor(ajv?: Ajv2020) {
    this.instance = ajv;
  }

  /** The ajv instance, created on first compilation. */
  private get ajv(): Ajv2020 {
    return (this.instance ??= createAjv());
  }

  /**
   * The check for `schema`, compiled once: eagerly with `eager`, otherwise on its first use (ajv
   * compilation costs milliseconds per schema; a server with hundreds of tools starts faster and
   * still never compiles per request).
   */
  compile(schema: object, subject = 'argument', eager = false): Check {
    let check = this.checks.get(schema);
    if (!check) {
      if (eager) {
        check = toCheck(this.ajv.compile(schema), subject);
      } else {
        let compiled: Check | undefined;
        check = (input: unknown) => {
          if (!compiled) {
            try {
              compiled = toCheck(this.ajv.compile(schema), subject);
            } catch (err) {
              const reason = err instanceof Error ? err.message : String(err);
              compiled = () => ({ valid: false, data: undefined, errorMessage: `the ${subject} schema of this tool is invalid (${reason})` });
            }
          }
          return compiled(input);
        };
      }
      this.checks.set(schema, check);
    }
    return check;
  }

  /** Register an existing check (e.g. one that also records metrics) for `schema`. */
  set(schema: object, check: Check): void {
    this.checks.set(schema, check);
  }

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    return this.compile(schema as object) as unknown as JsonSchemaValidator<T>;
  }
}
