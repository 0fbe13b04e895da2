/**
 * The normalised, resolved model of a capability.
 *
 * This is the contract between `@naftiko-ts/spec` and everything above it
 * (consumer, adapters, server, other tools). Adapters read only this model; they
 * never look at the raw YAML. Every element keeps the JSON pointer of the place
 * it came from so that run-time problems can point back at the document.
 *
 * Changing these types is a breaking change (see VERSIONING.md).
 */

/** A JSON Schema (2020-12) object, as produced by the inference. */
export type JsonSchema = { [key: string]: unknown };

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** 0-based position in the source text. */
export interface SourcePosition {
  line: number;
  column: number;
  /** 0-based character offset. */
  offset: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

// ---------------------------------------------------------------------------
// Expressions and templates
// ---------------------------------------------------------------------------

/**
 * A reference found inside `{{…}}` or a bare `rest.x` / `tools.x` expression,
 * already resolved against the document (binds, exposed namespaces).
 */
export type Ref =
  /** An exposed-side input (`rest.x`, `tools.x`, `args.x`, `$this.ns.x`, `ns.x`, or a bare `{{x}}` that is not a bind variable). */
  | { kind: 'input'; name: string }
  /** A bind variable (`{{VAR}}` or `{{bindNamespace.VAR}}`). `sourceKey` is the env var / file key it is read from. */
  | { kind: 'bind'; namespace: string; variable: string; sourceKey: string }
  /** Something the normaliser could not resolve; a diagnostic was emitted. Renders as missing. */
  | { kind: 'unknown'; path: string };

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; ref: Ref; raw: string };

/**
 * A value expression, as found in `with`, parameter `value`, auth fields and body templates.
 */
export type Expr =
  /** A literal string, number, boolean (or object/array for body data). */
  | { kind: 'literal'; value: unknown }
  /** A bare reference to an exposed input: `rest.body`, `tools.x`, `$this.ns.x`. Absent input → the key is left unset. */
  | { kind: 'input'; name: string; raw: string }
  /**
   * A string containing `{{…}}` placeholders. When `whole` is true the string is exactly one
   * placeholder and the rendered value keeps its JSON type (object, number…); otherwise it is text.
   */
  | { kind: 'template'; raw: string; parts: TemplatePart[]; whole: boolean };

/** A URL template (`baseUri` or a resource path). `{x}` and `{{x}}` are equivalent placeholders. */
export interface UrlTemplate {
  raw: string;
  parts: Array<{ kind: 'text'; text: string } | { kind: 'var'; name: string }>;
  /** Placeholder names in order of first appearance, without duplicates. */
  variables: string[];
}

// ---------------------------------------------------------------------------
// Binds
// ---------------------------------------------------------------------------

export interface Bind {
  namespace: string;
  /** `VAR → SOURCE_KEY`: the template variable and the env var / file key it is read from. */
  keys: Record<string, string>;
  /** `file://…` (relative to the capability file) or another URI; absent → environment. */
  location?: string;
  pointer: string;
}

// ---------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------

export type Authentication =
  | { type: 'apikey'; key: string; value: Expr; placement: 'header' | 'query'; pointer: string }
  | { type: 'bearer'; token: Expr; pointer: string }
  | { type: 'basic'; username: Expr; password: Expr; pointer: string }
  | { type: 'digest'; username: Expr; password: Expr; pointer: string }
  | {
      type: 'oauth2';
      /** Token endpoint for client credentials (falls back to `authorizationServerUri`). */
      tokenEndpoint?: string;
      authorizationServerUri?: string;
      clientId?: Expr;
      clientSecret?: Expr;
      scopes: string[];
      audience?: string;
      resource?: string;
      pointer: string;
    };

// ---------------------------------------------------------------------------
// Consumed side
// ---------------------------------------------------------------------------

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie' | 'body' | 'environment';

export interface ConsumedParameter {
  name: string;
  in: ParameterLocation;
  type?: JsonType;
  description?: string;
  required: boolean;
  /** Fixed value or template (`value:`), used when no input provides one. */
  value?: Expr;
  pointer: string;
}

export interface ConsumedOutputParameter {
  name: string;
  type: JsonType;
  /** JSONPath into the response (`$.`, `$.data.token`). */
  value?: string;
  pointer: string;
}

export type RequestBodyTemplate =
  | { type: 'json'; data: unknown; pointer: string }
  | { type: 'text'; data: string; pointer: string }
  | { type: 'formUrlEncoded'; data: Record<string, unknown> | string; pointer: string }
  | {
      type: 'multipartForm';
      data: Array<{ name: string; value: unknown; filename?: string; contentType?: string }>;
      pointer: string;
    }
  | { type: 'raw'; data: string; pointer: string };

export type OutputRawFormat = 'json' | 'xml' | 'yaml' | 'csv' | 'tsv' | 'psv' | 'text' | string;

export interface ConsumedOperation {
  /** `namespace.name`, the target of `call:`. */
  id: string;
  namespace: string;
  name: string;
  method: HttpMethod;
  description?: string;
  resourceName: string;
  /** Resource path normalised to start with exactly one `/`. */
  path: UrlTemplate;
  /**
   * All parameters that apply to this operation: consumes-level, then resource-level, then
   * operation-level (a later one with the same `name`+`in` replaces an earlier one).
   * Path placeholders that are not declared are NOT added here; see `path.variables`.
   */
  parameters: ConsumedParameter[];
  body?: RequestBodyTemplate;
  outputRawFormat: OutputRawFormat;
  outputParameters: ConsumedOutputParameter[];
  pointer: string;
}

export interface ConsumedApi {
  type: 'http';
  namespace: string;
  description?: string;
  /** Normalised: no trailing `/` (joins with paths to exactly one `/`). */
  baseUri: UrlTemplate;
  authentication?: Authentication;
  operations: ConsumedOperation[];
  /** Set when this block came from an imported file (`location`/`import`/`as`). */
  importedFrom?: { location: string; import: string };
  pointer: string;
}

// ---------------------------------------------------------------------------
// Exposed side: shared pieces
// ---------------------------------------------------------------------------

/** Where an exposed input is read from. MCP tools only have `argument`. */
export type InputLocation = 'path' | 'query' | 'header' | 'body' | 'argument';

/** Why an input exists (for documentation and tests). */
export type InputOrigin =
  | 'declared' // the exposed side's own inputParameters
  | 'with' // referenced by a `with` expression
  | 'path-placeholder' // an unmapped consumed path placeholder (implicit pass-through)
  | 'consumed-parameter' // a declared consumed query/header/body param (implicit pass-through)
  | 'route-path'; // a placeholder of the exposed REST route itself

export interface ExposedInput {
  /** The name the caller uses (query key, header name, tool argument, path variable). */
  name: string;
  in: InputLocation;
  type: JsonType;
  required: boolean;
  description?: string;
  /** Full JSON Schema for this input (includes `type`, `description`, `pattern` when known). */
  schema: JsonSchema;
  origin: InputOrigin;
}

/**
 * How the exposed side shapes a successful upstream response.
 * - `passthrough`: the whole body unchanged (`mapping: $` / `$.` without properties); adapters may
 *   forward the bytes without parsing.
 * - `mapped`: evaluate `root` (see OutputMapping) against the parsed body.
 * - `none`: no output declared → the parsed body unchanged (same as passthrough, but not declared).
 */
export type OutputShape =
  | { kind: 'passthrough'; type: JsonType }
  | { kind: 'mapped'; root: OutputMapping }
  | { kind: 'none' };

export interface OutputMapping {
  type: JsonType;
  /** JSONPath; for object properties evaluated against the response root, for array items against each element. */
  mapping?: string;
  /** A constant value. */
  const?: unknown;
  properties?: Record<string, OutputMapping>;
  items?: OutputMapping;
  pointer: string;
}

/** A resolved `call:` from the exposed side to a consumed operation. */
export interface ResolvedCall {
  /** `namespace.operation`. */
  target: string;
  namespace: string;
  operation: string;
  /** The consumed operation itself (same object as in `Capability.consumes`). */
  consumed: ConsumedOperation;
  /** `with`: consumed parameter name → expression. */
  with: Record<string, Expr>;
  pointer: string;
}

/** How an exposed operation/tool produces its result. Only `call` runs in the first round. */
export type ExecutionMode = 'call' | 'steps' | 'mock' | 'ref' | 'forward';

// ---------------------------------------------------------------------------
// Exposed side: REST
// ---------------------------------------------------------------------------

export interface RestRoute {
  /** Path normalised to start with `/`; placeholders as `{x}` (a `{{x}}` in the file becomes `{x}`). */
  path: UrlTemplate;
  method: HttpMethod;
  resourceName?: string;
  name?: string;
  description?: string;
  mode: ExecutionMode;
  call?: ResolvedCall;
  /** Every input the route reads, with its location, type and `required`. */
  inputs: ExposedInput[];
  output: OutputShape;
  /** Raw `steps`/`mappings`/mock outputs for modes not run yet. */
  raw?: unknown;
  pointer: string;
}

export interface RestAdapter {
  type: 'rest';
  namespace: string;
  port: number;
  address?: string;
  description?: string;
  authentication?: Authentication;
  routes: RestRoute[];
  pointer: string;
}

// ---------------------------------------------------------------------------
// Exposed side: MCP
// ---------------------------------------------------------------------------

export interface McpToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface McpTool {
  name: string;
  /** From `label`. */
  title?: string;
  description: string;
  /** From `hints`, with the missing ones derived from the consumed method. */
  annotations: McpToolAnnotations;
  mode: ExecutionMode;
  call?: ResolvedCall;
  /** Inputs, all `in: 'argument'`. */
  inputs: ExposedInput[];
  /** `{type:'object', properties, required?, additionalProperties}` built from `inputs`. */
  inputSchema: JsonSchema;
  /** Present when the output type is known (object results only, per MCP). */
  outputSchema?: JsonSchema;
  output: OutputShape;
  raw?: unknown;
  pointer: string;
}

export interface McpResourceDecl {
  name: string;
  title?: string;
  uri: string;
  description: string;
  mimeType?: string;
  /** Static content location (`file://…`), relative to the capability file. */
  location?: string;
  mode: ExecutionMode | 'static';
  call?: ResolvedCall;
  pointer: string;
}

export interface McpPromptDecl {
  name: string;
  title?: string;
  description: string;
  arguments: Array<{ name: string; title?: string; description: string; required: boolean }>;
  /** Inline messages with `{{arg}}` placeholders. */
  template?: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** File location of the template (`file://…`). */
  location?: string;
  pointer: string;
}

export interface McpAdapter {
  type: 'mcp';
  namespace: string;
  transport: 'http' | 'stdio';
  port?: number;
  address?: string;
  description?: string;
  authentication?: Authentication;
  tools: McpTool[];
  resources: McpResourceDecl[];
  prompts: McpPromptDecl[];
  pointer: string;
}

/** Adapters the engine does not serve yet; kept so tools can read them. */
export interface OtherAdapter {
  type: 'skill' | 'control';
  namespace?: string;
  port?: number;
  address?: string;
  raw: unknown;
  pointer: string;
}

export type ExposedAdapter = RestAdapter | McpAdapter | OtherAdapter;

// ---------------------------------------------------------------------------
// The capability
// ---------------------------------------------------------------------------

export interface CapabilityInfo {
  label?: string;
  description?: string;
  tags: string[];
  created?: string;
  modified?: string;
}

export interface Capability {
  /** The `source` given to `parseCapability` (a file name or URI). */
  source: string;
  /** The `naftiko:` version string. */
  version: string;
  info: CapabilityInfo;
  /** Root-level and capability-level binds, in document order. */
  binds: Bind[];
  consumes: ConsumedApi[];
  exposes: ExposedAdapter[];
  /** Every consumed operation by `namespace.name`. */
  operations: ReadonlyMap<string, ConsumedOperation>;
  /**
   * Deployment variables the consumed `baseUri`s need (`store_hash`), per consumes namespace.
   * Resolved at start-up from `--var` or the upper-cased environment variable.
   */
  baseUriVariables: Record<string, string[]>;
  /** The raw parsed document (plain JS), for tools that need what the model does not carry. */
  document: unknown;
}
