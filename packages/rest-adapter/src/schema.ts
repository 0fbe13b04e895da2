/**
 * JSON Schema helpers: the model's input schemas are turned into schemas fastify's ajv compiles
 * once per route (strict ajv: only validation keywords it knows, only formats it knows).
 */
import type { ExposedInput, JsonSchema, JsonType } from '@naftiko-ts/spec';

const KNOWN_FORMATS = new Set([
  'date-time', 'date', 'time', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uri',
  'uri-reference', 'uuid', 'regex', 'json-pointer',
]);

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

const SCALAR_KEYWORDS = [
  'description', 'title', 'default', 'examples', 'const', 'enum', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'deprecated', 'readOnly', 'writeOnly',
] as const;

/**
 * Keeps only the JSON Schema keywords that validate (or document) and that strict ajv accepts;
 * drops unknown keywords and formats rather than failing at start-up on a vendor extension.
 */
export function sanitizeSchema(input: unknown): JsonSchema {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {};
  const src = input as Record<string, unknown>;
  const out: JsonSchema = {};
  const type = src['type'];
  if (typeof type === 'string' && JSON_TYPES.has(type)) out['type'] = type;
  else if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === 'string' && JSON_TYPES.has(t));
    if (types.length > 0) out['type'] = types;
  }
  for (const k of SCALAR_KEYWORDS) {
    if (src[k] !== undefined) out[k] = src[k];
  }
  if (typeof src['format'] === 'string' && KNOWN_FORMATS.has(src['format'])) out['format'] = src['format'];
  // ajv compiles patterns with the `u` flag; one it cannot compile would stop the app at start-up.
  if (out['pattern'] !== undefined && !isUnicodeRegExp(out['pattern'])) delete out['pattern'];
  if (src['items'] !== undefined && !Array.isArray(src['items'])) out['items'] = sanitizeSchema(src['items']);
  const props = src['properties'];
  if (typeof props === 'object' && props !== null && !Array.isArray(props)) {
    const p: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(props)) p[k] = sanitizeSchema(v);
    out['properties'] = p;
  }
  if (Array.isArray(src['required'])) {
    const req = src['required'].filter((r): r is string => typeof r === 'string');
    if (req.length > 0) out['required'] = req;
  }
  const ap = src['additionalProperties'];
  if (typeof ap === 'boolean') out['additionalProperties'] = ap;
  else if (typeof ap === 'object' && ap !== null) out['additionalProperties'] = sanitizeSchema(ap);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = src[k];
    if (Array.isArray(list) && list.length > 0) out[k] = list.map(sanitizeSchema);
  }
  if (typeof src['not'] === 'object' && src['not'] !== null) out['not'] = sanitizeSchema(src['not']);
  if (Array.isArray(out['enum']) && (out['enum'] as unknown[]).length === 0) delete out['enum'];
  return out;
}

function isUnicodeRegExp(p: unknown): boolean {
  if (typeof p !== 'string') return false;
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The schema of one exposed input: its `schema` when present, else its `type`. */
export function inputSchema(input: ExposedInput): JsonSchema {
  const s = sanitizeSchema(input.schema);
  if (s['type'] === undefined && s['anyOf'] === undefined && s['oneOf'] === undefined && s['const'] === undefined && s['enum'] === undefined) {
    s['type'] = input.type satisfies JsonType;
  }
  if (s['description'] === undefined && input.description !== undefined) s['description'] = input.description;
  return s;
}

/**
 * Accepts `null` or the schema (an optional request body may be absent; the adapter turns "no body"
 * into `null` before validation). `anyOf` rather than a union `type`, which strict ajv warns about.
 */
export function allowNull(schema: JsonSchema): JsonSchema {
  return { anyOf: [{ type: 'null' }, schema] };
}

const DOC_KEYWORDS = new Set(['description', 'title', 'examples', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * The schema without documentation keywords (a copy): what validation needs. Equal validation
 * schemas then compare equal and are compiled once.
 */
export function stripDocs(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (DOC_KEYWORDS.has(k)) continue;
    if (k === 'properties' && typeof v === 'object' && v !== null) {
      const props: Record<string, JsonSchema> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, JsonSchema>)) props[pk] = stripDocs(pv);
      out[k] = props;
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && typeof v === 'object' && v !== null) {
      out[k] = stripDocs(v as JsonSchema);
    } else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && Array.isArray(v)) {
      out[k] = (v as JsonSchema[]).map(stripDocs);
    } else {
      out[k] = v;
    }
  }
  return out;
}
