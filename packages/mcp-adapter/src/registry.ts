/**
 * The tool registry: everything `tools/list` and `tools/call` need, built ONCE from the model
 * (list payload, precompiled ajv validators, prepared consumer calls). Both the SDK server and
 * the hot path read it, so the two can never drift apart.
 */
import { performance } from 'node:perf_hooks';
import type { Capability, ConsumedApi, Expr, JsonSchema, McpAdapter, McpTool } from '@naftiko-ts/spec';
import type { CallOptions, Consumer, ConsumerResult, Logger, PreparedCall } from '@naftiko-ts/consumer';
import { McpAdapterError, isConsumerError } from './errors.js';
import { silentLogger } from './logger.js';
import { PrecompiledValidators, type Check } from './validation.js';

/** One MCP adapter of one capability, with the consumer that runs its calls. */
export interface AdapterEntry {
  capability: Capability;
  adapter: McpAdapter;
  consumer: Consumer;
}

/** How a tool call ended, as recorded in metrics. */
export type ToolOutcome = 'success' | 'invalid_arguments' | 'upstream_error' | 'error';

export interface ToolMetricsSink {
  observe(tool: string, outcome: ToolOutcome, seconds: number): void;
}

/** A `CallToolResult` as this adapter produces it. */
export interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [RAW_JSON]?: string;
  [key: string]: unknown;
}

/** The `tools/list` entry of a tool, exactly as the SDK lists it. */
export interface ToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: McpTool['annotations'];
  outputSchema?: JsonSchema;
}

export interface CompiledTool {
  readonly name: string;
  /** `file#adapter-namespace`, for messages. */
  readonly source: string;
  readonly model: McpTool;
  /** The schema object handed to the SDK (`fromJsonSchema`); identity matters for the validator cache. */
  readonly inputSchema: JsonSchema;
  readonly outputSchema: JsonSchema | undefined;
  readonly definition: ToolDefinition;
  /** Argument check (records `invalid_arguments` on failure). */
  readonly checkInput: Check;
  readonly checkOutput: Check | undefined;
  /** Run the tool with already-validated arguments. Never throws. */
  execute(args: Record<string, unknown>, options?: CallOptions): Promise<ToolResult>;
}

export interface ToolRegistry {
  readonly tools: ReadonlyMap<string, CompiledTool>;
  /** `tools/list` payload, in declaration order. */
  readonly definitions: readonly ToolDefinition[];
  /** The validator provider shared with the SDK (`fromJsonSchema(schema, registry.validators)`). */
  readonly validators: PrecompiledValidators;
  readonly entries: readonly AdapterEntry[];
  /** Every secret value known to the registry (for redaction). Never log this. */
  readonly secretValues: readonly string[];
  /** Replace every known secret value in `text`. */
  redact(text: string): string;
}

export interface CreateToolRegistryOptions {
  logger?: Logger;
  metrics?: ToolMetricsSink;
  /** Extra secret values to keep out of every result text (in addition to each consumer's). */
  secrets?: readonly string[];
  /** Maximum length of an upstream error body quoted in an `isError` result. Default 8192. */
  maxErrorBodyChars?: number;
  /** Compile every JSON Schema at start-up instead of on the tool's first call. Default false. */
  eagerValidators?: boolean;
}

const TOOL_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Hidden (symbol-keyed, so never serialised) on a result whose `structuredContent` is the
 * upstream body verbatim: the exact JSON text, for the hot path to splice.
 */
export const RAW_JSON: unique symbol = Symbol('naftiko-ts.mcp-adapter.raw-json');
const noMetrics: ToolMetricsSink = { observe() {} };

function sourceOf(entry: AdapterEntry): string {
  return `${entry.capability.source}#${entry.adapter.namespace}`;
}

/** Secret names (bind source keys) an upstream call depends on, for 401 hints. */
function secretNamesOf(api: ConsumedApi | undefined): string[] {
  const names = new Set<string>();
  const visit = (expr: Expr | undefined): void => {
    if (!expr || expr.kind !== 'template') return;
    for (const part of expr.parts) if (part.kind === 'ref' && part.ref.kind === 'bind') names.add(part.ref.sourceKey);
  };
  const auth = api?.authentication;
  if (!auth) return [];
  switch (auth.type) {
    case 'apikey':
      visit(auth.value);
      break;
    case 'bearer':
      visit(auth.token);
      break;
    case 'basic':
    case 'digest':
      visit(auth.username);
      visit(auth.password);
      break;
    case 'oauth2':
      visit(auth.clientId);
      visit(auth.clientSecret);
      break;
  }
  return [...names];
}

/** ` Retry after N s.` from `Retry-After` / `X-Retry-After` / `X-Rate-Limit-Time-Reset-Ms`, or ''. */
function retryHint(headers: Record<string, string | string[] | undefined> | undefined): string {
  if (!headers) return '';
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const seconds = Number(one(headers['retry-after']) ?? one(headers['x-retry-after']));
  if (Number.isFinite(seconds) && seconds >= 0) return ` Retry after ${Math.ceil(seconds)} s.`;
  const ms = Number(one(headers['x-rate-limit-time-reset-ms']));
  if (Number.isFinite(ms) && ms >= 0) return ` Retry after ${Math.ceil(ms / 1000)} s.`;
  return '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(t: string): { type: 'text'; text: string } {
  return { type: 'text', text: t };
}

function toolError(message: string): ToolResult {
  return { content: [text(message)], isError: true };
}

/** The JSON Schema the SDK lists for an input schema (`{type:'object', ...schema}`). */
function listedInputSchema(schema: JsonSchema): JsonSchema {
  return { type: 'object', ...schema };
}

/** The JSON Schema the SDK lists for an output schema. */
function listedOutputSchema(schema: JsonSchema): JsonSchema {
  if (schema['type'] !== undefined) return schema;
  return { type: 'object', ...schema };
}

export function createToolRegistry(
  entries: ReadonlyArray<AdapterEntry>,
  options: CreateToolRegistryOptions = {},
): ToolRegistry {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noMetrics;
  const maxBody = options.maxErrorBodyChars ?? 8192;
  const eager = options.eagerValidators ?? false;
  const validators = new PrecompiledValidators();
  const tools = new Map<string, CompiledTool>();
  const definitions: ToolDefinition[] = [];

  const secretSet = new Set<string>();
  for (const s of options.secrets ?? []) if (s.length >= 3) secretSet.add(s);
  for (const e of entries) for (const s of e.consumer.secretValues()) if (s.length >= 3) secretSet.add(s);
  // Longest first so that a secret containing another is replaced whole.
  const secretValues = [...secretSet].sort((a, b) => b.length - a.length);
  const redact = (t: string): string => {
    let out = t;
    for (const s of secretValues) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    return out;
  };

  for (const entry of entries) {
    const source = sourceOf(entry);
    for (const model of entry.adapter.tools) {
      const previous = tools.get(model.name);
      if (previous) {
        throw new McpAdapterError(
          'MCP_DUPLICATE_NAME',
          `Tool \`${model.name}\` is declared twice: in \`${previous.source}\` and in \`${source}\`. Rename one of them; tool names must be unique on one MCP server.`,
        );
      }
      if (!TOOL_NAME.test(model.name)) {
        throw new McpAdapterError(
          'MCP_CONFIG',
          `Tool name \`${model.name}\` (in \`${source}\`) is not a valid MCP tool name: use 1 to 64 characters among A-Z a-z 0-9 _ - .`,
        );
      }
      const compiled = compileTool(entry, model, source);
      tools.set(model.name, compiled);
      definitions.push(compiled.definition);
    }
  }

  function compileTool(entry: AdapterEntry, model: McpTool, source: string): CompiledTool {
    const name = model.name;
    const inputSchema = model.inputSchema;
    const outputSchema = model.outputSchema;
    const rawInput = validators.compile(inputSchema, 'argument', eager);
    const checkInput: Check = (input) => {
      const result = rawInput(input);
      if (!result.valid) metrics.observe(name, 'invalid_arguments', 0);
      return result;
    };
    validators.set(inputSchema, checkInput);
    const checkOutput = outputSchema ? validators.compile(outputSchema, 'output property', eager) : undefined;

    const definition: ToolDefinition = {
      name,
      ...(model.title !== undefined ? { title: model.title } : {}),
      description: model.description,
      inputSchema: listedInputSchema(inputSchema),
      annotations: model.annotations,
      ...(outputSchema ? { outputSchema: listedOutputSchema(outputSchema) } : {}),
    };

    let prepared: PreparedCall | undefined;
    let unsupported: string | undefined;
    if (model.mode !== 'call' || !model.call) {
      unsupported = `Tool \`${name}\` uses the \`${model.mode}\` execution mode, which this engine does not run yet.`;
    } else {
      prepared = entry.consumer.prepare(model.call, model.output);
    }
    const api = model.call ? entry.capability.consumes.find((c) => c.namespace === model.call!.namespace) : undefined;
    const secretNames = secretNamesOf(api);

    const upstreamFailure = (result: {
      status: number;
      raw?: Buffer | undefined;
      body?: unknown;
      headers?: Record<string, string | string[] | undefined> | undefined;
    }): ToolResult => {
      let body =
        result.raw !== undefined
          ? result.raw.toString('utf8')
          : result.body === undefined
            ? ''
            : typeof result.body === 'string'
              ? result.body
              : JSON.stringify(result.body);
      if (body.length > maxBody) body = `${body.slice(0, maxBody)}… (truncated)`;
      body = redact(body);
      if (result.status === 401) {
        const hint =
          secretNames.length > 0
            ? ` Check the secret ${secretNames.map((n) => `\`${n}\``).join(', ')} (its value is not shown).`
            : ' Check the credentials configured for this API.';
        return toolError(
          `Upstream API refused the gateway's credentials: HTTP 401.${hint}${body ? ` Upstream response: ${body}` : ''}`,
        );
      }
      const retry = result.status === 429 || result.status === 503 ? retryHint(result.headers) : '';
      return toolError(`Upstream API returned HTTP ${result.status}.${retry}${body ? ` Upstream response: ${body}` : ''}`);
    };

    const success = (result: ConsumerResult): ToolResult => {
      const value = result.mapped;
      if (isPlainObject(value)) {
        if (result.passthrough) {
          // Whole-body passthrough: the text is the upstream JSON as received (no re-serialisation),
          // and the hot path may splice those bytes as `structuredContent`.
          const rawText = result.raw.toString('utf8');
          const r: ToolResult = { content: [text(rawText)], structuredContent: value };
          Object.defineProperty(r, RAW_JSON, { value: rawText, enumerable: false });
          return r;
        }
        return { content: [text(JSON.stringify(value))], structuredContent: value };
      }
      if (value === undefined || (value === null && result.raw.length === 0)) {
        // No body (204, or an empty 200): say so; an empty object satisfies a declared object
        // output schema, so a successful DELETE is not reported as an output-validation error.
        const note = text(`Upstream API answered HTTP ${result.status} with no content.`);
        return outputSchema ? { content: [note], structuredContent: {} } : { content: [note] };
      }
      return { content: [text(typeof value === 'string' ? value : JSON.stringify(value))] };
    };

    const failure = (err: unknown): { result: ToolResult; outcome: ToolOutcome } => {
      if (isConsumerError(err)) {
        const message = redact(err.message);
        if (err.code === 'UPSTREAM_STATUS' && typeof err.status === 'number') {
          return {
            result: upstreamFailure({ status: err.status, raw: err.raw, body: err.body, headers: err.headers }),
            outcome: 'upstream_error',
          };
        }
        switch (err.code) {
          case 'CONSUMER_TIMEOUT':
            return { result: toolError(`Upstream API did not answer in time: ${message}`), outcome: 'upstream_error' };
          case 'CONSUMER_CONNECT':
            return { result: toolError(`Could not reach the upstream API: ${message}`), outcome: 'upstream_error' };
          case 'MISSING_INPUT':
          case 'INVALID_INPUT':
            return { result: toolError(message), outcome: 'invalid_arguments' };
          default:
            return { result: toolError(`Upstream call failed (${err.code}): ${message}`), outcome: 'upstream_error' };
        }
      }
      logger.error({ err: redact(err instanceof Error ? err.message : String(err)), tool: name }, 'tool call failed');
      return { result: toolError(`Tool \`${name}\` failed with an internal error.`), outcome: 'error' };
    };

    const execute = async (args: Record<string, unknown>, callOptions?: CallOptions): Promise<ToolResult> => {
      const started = performance.now();
      let outcome: ToolOutcome = 'success';
      try {
        if (!prepared) {
          outcome = 'error';
          return toolError(unsupported!);
        }
        const result = await prepared.invoke(args, callOptions);
        if (result.status >= 400) {
          outcome = 'upstream_error';
          return upstreamFailure(result);
        }
        return success(result);
      } catch (err) {
        const f = failure(err);
        outcome = f.outcome;
        return f.result;
      } finally {
        metrics.observe(name, outcome, (performance.now() - started) / 1000);
      }
    };

    return { name, source, model, inputSchema, outputSchema, definition, checkInput, checkOutput, execute };
  }

  return { tools, definitions, validators, entries, secretValues, redact };
}
