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

/**
 * The ajv instance for tool schemas. `validateSchema: false` skips checking each schema against the
 * 2020-12 meta-schema, whose own compilation costs ≈ 100+ ms on the first call: use it only for
 * schemas {@link isPlainSchema} has already checked.
 */
export function createAjv(options: { validateSchema?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, validateSchema: options.validateSchema ?? true });
  addFormats(ajv);
  return ajv;
}

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * True when `schema` uses only plain keywords with well-formed values, which is exactly the case
 * where checking it against the meta-schema cannot fail (the schemas the engine builds from
 * capability inputs). Anything else (combinators, `$ref`, unusual keywords or values) is left to
 * the meta-schema check, so an invalid schema is reported exactly as before.
 */
export function isPlainSchema(schema: unknown, depth = 0): boolean {
  if (typeof schema === 'boolean') return true;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || depth > 32) return false;
  for (const [k, v] of Object.entries(schema)) {
    switch (k) {
      case 'type':
        if (!(typeof v === 'string' ? JSON_TYPES.has(v) : Array.isArray(v) && v.length > 0 && v.every((t) => JSON_TYPES.has(t as string)) && new Set(v).size === v.length)) return false;
        break;
      case 'properties':
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        for (const p of Object.values(v)) if (!isPlainSchema(p, depth + 1)) return false;
        break;
      case 'items':
      case 'additionalProperties':
        if (!isPlainSchema(v, depth + 1)) return false;
        break;
      case 'required':
        if (!isStringArray(v) || new Set(v as string[]).size !== (v as string[]).length) return false;
        break;
      case 'enum':
        if (!Array.isArray(v)) return false;
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof v !== 'number' || !Number.isFinite(v)) return false;
        break;
      case 'minLength':
      case 'maxLength':
      case 'minItems':
      case 'maxItems':
      case 'minProperties':
      case 'maxProperties':
        if (!isCount(v)) return false;
        break;
      case 'uniqueItems':
        if (typeof v !== 'boolean') return false;
        break;
      case 'title':
      case 'description':
      case 'format':
        if (typeof v !== 'string') return false;
        break;
      case 'examples':
        if (!Array.isArray(v)) return false;
        break;
      case 'const':
      case 'default':
        break;
      default:
        return false;
    }
  }
  return true;
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

  private plainInstance: Ajv2020 | undefined;

  constructor(ajv?: Ajv2020) {
    this.instance = ajv;
  }

  /** The ajv instance, created on first compilation. */
  private get ajv(): Ajv2020 {
    return (this.instance ??= createAjv());
  }

  /** Compiles with the meta-schema check only when {@link isPlainSchema} cannot vouch for `schema`. */
  private compileSchema(schema: object): ValidateFunction {
    if (this.instance === undefined && isPlainSchema(schema)) {
      return (this.plainInstance ??= createAjv({ validateSchema: false })).compile(schema);
    }
    return this.ajv.compile(schema);
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
        check = toCheck(this.compileSchema(schema), subject);
      } else {
        let compiled: Check | undefined;
        check = (input: unknown) => {
          if (!compiled) {
            try {
              compiled = toCheck(this.compileSchema(schema), subject);
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
