/**
 * A validator compiler for fastify that compiles each route schema on the first request that needs
 * it (not at start-up) and once per distinct schema: the route table interns equal schemas, so a
 * large file set whose routes share schemas compiles each of them once, and only when used.
 *
 * It wraps fastify's own default (`@fastify/ajv-compiler`, same ajv options, loaded on the first
 * validation), so validation and its errors are unchanged. Header schemas are not lower-cased by fastify for a custom compiler: the
 * route table already writes header names in lower case.
 */
import { createRequire } from 'node:module';

type ValidatorFn = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
interface RouteSchemaInfo {
  schema: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
}
type ValidatorCompiler = (info: RouteSchemaInfo) => ValidatorFn;
type BuildValidator = (externalSchemas: unknown, options: unknown) => ValidatorCompiler;

let factoryPath: string | null | undefined;

/**
 * Where fastify's default validator factory is (resolved through fastify itself; undefined when it
 * cannot be found). Only resolved here: ajv itself is loaded on the first validation.
 */
function defaultFactoryPath(): string | undefined {
  if (factoryPath === undefined) {
    try {
      const here = createRequire(import.meta.url);
      factoryPath = createRequire(here.resolve('fastify')).resolve('@fastify/ajv-compiler');
    } catch {
      factoryPath = null;
    }
  }
  return factoryPath ?? undefined;
}

let base: BuildValidator | undefined;
function defaultBuildValidator(file: string): BuildValidator {
  base ??= (createRequire(import.meta.url)(file) as () => BuildValidator)();
  return base;
}

/**
 * `schemaController.compilersFactory.buildValidator` compiling lazily and once per schema object.
 * Undefined when fastify's default compiler cannot be located (fastify's own default is then used).
 */
export function lazyBuildValidator(): BuildValidator | undefined {
  const file = defaultFactoryPath();
  if (file === undefined) return undefined;
  return (externalSchemas, options) => {
    let compile: ValidatorCompiler | undefined;
    const compiler = (info: RouteSchemaInfo): ValidatorFn => (compile ??= defaultBuildValidator(file)(externalSchemas, options))(info);
    const cache = new WeakMap<object, Map<string, ValidatorFn>>();
    return (info) => {
      const schema = info.schema;
      if (typeof schema !== 'object' || schema === null) return compiler(info);
      let byPart = cache.get(schema);
      if (byPart === undefined) cache.set(schema, (byPart = new Map()));
      const part = info.httpPart ?? '';
      const known = byPart.get(part);
      if (known !== undefined) return known;
      let compiled: ValidatorFn | undefined;
      const lazy: ValidatorFn = (data, ctx) => {
        const fn = (compiled ??= compiler(info));
        const ok = ctx !== undefined && fn.schemaEnv ? fn(data, ctx) : fn(data);
        lazy.errors = fn.errors;
        return ok;
      };
      // Tells fastify to pass the parent data (ajv can then coerce a root value).
      lazy.schemaEnv = true;
      byPart.set(part, lazy);
      return lazy;
    };
  };
}
