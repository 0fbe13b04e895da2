/**
 * A validator compiler for fastify that compiles each route schema on the first request that needs
 * it (not at start-up) and once per distinct schema: the route table interns equal schemas, so a
 * large file set whose routes share schemas compiles each of them once, and only when used.
 *
 * It wraps fastify's own default (`@fastify/ajv-compiler`, same ajv options), so validation and its
 * errors are unchanged. Header schemas are not lower-cased by fastify for a custom compiler: the
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

let base: BuildValidator | null | undefined;

/** fastify's default validator factory, resolved through fastify itself (undefined when it cannot be found). */
function defaultBuildValidator(): BuildValidator | undefined {
  if (base === undefined) {
    try {
      const here = createRequire(import.meta.url);
      const fromFastify = createRequire(here.resolve('fastify'));
      const factory = fromFastify('@fastify/ajv-compiler') as () => BuildValidator;
      base = factory();
    } catch {
      base = null;
    }
  }
  return base ?? undefined;
}

/** `schemaController.compilersFactory.buildValidator` compiling lazily and once per schema object. */
export function lazyBuildValidator(): BuildValidator | undefined {
  const build = defaultBuildValidator();
  if (build === undefined) return undefined;
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    const cache = new WeakMap<object, Map<string, ValidatorFn>>();
    return (info) => {
      const schema = info.schema;
      if (typeof schema !== 'object' || schema === null) return compile(info);
      let byPart = cache.get(schema);
      if (byPart === undefined) cache.set(schema, (byPart = new Map()));
      const part = info.httpPart ?? '';
      const known = byPart.get(part);
      if (known !== undefined) return known;
      let compiled: ValidatorFn | undefined;
      const lazy: ValidatorFn = (data, ctx) => {
        const fn = (compiled ??= compile(info));
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
