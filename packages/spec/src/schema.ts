import _Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { JsonSchema } from './model.js';
import type { SourceMap } from './source.js';
import { escapePointerSegment } from './source.js';

type Ajv2020Class = typeof _Ajv2020.default;
/** ajv's 2020-12 class (a CommonJS module: its class is `default` or the module itself). */
function loadAjv2020(): Ajv2020Class {
  const mod = _Ajv2020 as unknown as { default?: Ajv2020Class };
  return (mod.default ?? mod) as Ajv2020Class;
}

// ---- building blocks -----------------------------------------------------------------------

type S = JsonSchema;
const ref = (name: string): S => ({ $ref: `#/$defs/${name}` });
const str: S = { type: 'string' };
const bool: S = { type: 'boolean' };
const list = (items: S, minItems?: number): S => (minItems === undefined ? { type: 'array', items } : { type: 'array', items, minItems });
const strings: S = list(str);
const pattern = (p: string): S => ({ type: 'string', pattern: p });
const oneOfStrings = (...values: string[]): S => ({ type: 'string', enum: values });
/** A closed object: only `properties`, with `required` keys. */
const closed = (properties: Record<string, S | true>, required: string[] = [], extra: S = {}): S => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
  ...extra,
});
/**
 * A union discriminated by a required constant property (`type`), written as if/then/else so that
 * a validation error names the problem in the branch the document meant, not in every branch.
 * Equivalent to `oneOf` over branches that each require `key` with distinct constant values.
 */
const byKey = (key: string, cases: Array<[string[], S]>): S => {
  const all = cases.flatMap(([values]) => values);
  return cases.reduceRight<S>(
    (otherwise, [values, schema]) => ({
      if: { properties: { [key]: values.length === 1 ? { const: values[0] } : { enum: values } }, required: [key] },
      then: schema,
      else: otherwise,
    }),
    { type: 'object', properties: { [key]: { enum: all } }, required: [key] },
  );
};
const consumesEntry: S = { if: { required: ['type'] }, then: { $ref: '#/$defs/ConsumesHttp' }, else: { $ref: '#/$defs/ConsumesImport' } };
const port: S = { type: 'integer', minimum: 1, maximum: 65535 };
const callTarget = pattern('^[a-zA-Z0-9-]+\\.[a-zA-Z0-9-]+$');
const fileUri = { type: 'string', pattern: '^file:///' };
const date = pattern('^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$');
const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'];
const OUTPUT_TYPES = ['string', 'number', 'boolean', 'object', 'array'];

/** A mapped output (call mode) of one type; `extra` holds the type-specific keys. */
const mappedOutput = (type: string, extra: Record<string, S>, required: string[], choice: boolean): S =>
  closed(
    {
      type: { const: type },
      mapping: str,
      const: { type: ['string', 'number', 'boolean', 'array', 'object'] },
      value: str,
      ...extra,
    },
    ['type', ...required],
    choice ? { oneOf: [{ required: ['mapping'] }, { required: ['value'] }] } : {},
  );

/** An exposed unit (operation, tool, resource, function) runs a call, steps, or returns mocks. */
const callBranch = (required: string[]): S => ({ required: [...required, 'call'], properties: { outputParameters: list(ref('MappedOutput')) } });
const stepsBranch = (required: string[]): S => ({ required: [...required, 'steps'], properties: { outputParameters: list(ref('OrchestratedOutput')) } });
const mockBranch = (required: string[]): S => ({ required: [...required, 'outputParameters'], properties: { outputParameters: list(ref('MockOutput'), 1) } });

const auth = (type: string, properties: Record<string, S>, required: string[] = []): S =>
  closed({ type: { type: 'string', const: type }, ...properties }, ['type', ...required]);

const withInjector: S = { type: 'object', additionalProperties: { type: ['string', 'number'] } };

let exactMode = true;
/**
 * `exact` in the schema that decides validity (it mirrors the official alternatives); `intent` in
 * the diagnostic schema, which picks the alternative the document evidently meant (by the keys it
 * has) so that errors are reported for that alternative only.
 */
const choose = (exact: S, intent: S): S => (exactMode ? exact : intent);
const when = (condition: S, then: S, otherwise: S): S => ({ if: condition, then, else: otherwise });
const has = (key: string): S => ({ required: [key] });

const unitProperties = {
  inputParameters: list(ref('ToolInputParameter')),
  call: callTarget,
  with: ref('With'),
  steps: list(ref('Step'), 1),
  mappings: list(ref('StepMapping')),
  outputParameters: { type: 'array' },
};

function buildSchema(exact: boolean): JsonSchema {
  exactMode = exact;
  return {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://naftiko-ts.dev/schemas/capability-1.0.0-alpha2.json',
  title: 'Naftiko capability (alpha2, strict)',
  type: 'object',
  properties: {
    naftiko: { type: 'string', const: '1.0.0-alpha2' },
    info: ref('Info'),
    consumes: list(consumesEntry, 1),
    binds: list(ref('Bind'), 1),
    capability: ref('Capability'),
  },
  ...choose(
    { oneOf: [{ required: ['naftiko', 'capability'] }, { required: ['naftiko', 'consumes'] }] },
    when(has('capability'), { required: ['naftiko', 'capability'] }, { required: ['naftiko', 'consumes'] }),
  ),
  additionalProperties: false,
  $defs: {
    Kebab: pattern('^[a-zA-Z0-9-]+$'),
    Name: pattern('^[a-zA-Z0-9-_*]+$'),
    Address: {
      anyOf: [
        pattern('^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$'),
        pattern('^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$'),
        pattern('^([0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}$'),
      ],
    },
    Info: closed(
      {
        label: str,
        description: str,
        tags: strings,
        created: date,
        modified: date,
        stakeholders: list(closed({ role: str, fullName: str, email: pattern('^[a-zA-Z0-9._%+\\-]+@[a-zA-Z0-9.\\-]+\\.[a-zA-Z]{2,}$') }, ['role', 'fullName'])),
      },
      ['label', 'description'],
    ),
    Bind: closed(
      {
        namespace: ref('Kebab'),
        description: str,
        location: pattern('^[a-zA-Z][a-zA-Z0-9+.-]*://'),
        keys: { type: 'object', propertyNames: pattern('^[A-Z][A-Z0-9_]*$'), additionalProperties: ref('Name') },
      },
      ['namespace', 'keys'],
    ),
    Capability: closed(
      {
        binds: list(ref('Bind'), 1),
        exposes: list(byKey('type', [[['rest'], ref('Rest')], [['mcp'], ref('Mcp')], [['skill'], ref('Skill')], [['control'], ref('Control')]]), 1),
        consumes: list(consumesEntry, 1),
        aggregates: list(ref('Aggregate'), 1),
      },
      [],
      { anyOf: [{ required: ['exposes'] }, { required: ['consumes'] }] },
    ),
    // ---- consumes
    ConsumesImport: closed({ location: str, import: ref('Kebab'), as: ref('Kebab'), description: str }, ['location', 'import']),
    ConsumesHttp: closed(
      {
        type: { type: 'string', const: 'http' },
        namespace: ref('Kebab'),
        description: str,
        baseUri: pattern('^https?://[^/]+(/[^{]*)?$'),
        inputParameters: list(ref('ConsumedParameter')),
        authentication: ref('Authentication'),
        resources: list(ref('ConsumedResource'), 1),
      },
      ['namespace', 'type', 'baseUri'],
    ),
    ConsumedResource: closed(
      { name: ref('Kebab'), label: str, description: str, path: str, inputParameters: list(ref('ConsumedParameter')), operations: list(ref('ConsumedOperation'), 1) },
      ['name', 'path', 'operations'],
    ),
    ConsumedOperation: closed(
      {
        name: ref('Kebab'),
        label: str,
        description: str,
        method: oneOfStrings('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        inputParameters: list(ref('ConsumedParameter')),
        outputRawFormat: oneOfStrings('json', 'xml', 'avro', 'protobuf', 'csv', 'tsv', 'psv', 'yaml', 'html', 'markdown'),
        outputSchema: str,
        outputParameters: list(closed({ name: ref('Name'), type: oneOfStrings(...OUTPUT_TYPES), value: str }, ['name', 'type', 'value'])),
        body: ref('Body'),
      },
      ['name', 'method'],
    ),
    ConsumedParameter: closed({ name: ref('Name'), in: oneOfStrings('query', 'header', 'path', 'cookie', 'body', 'environment'), value: str }, ['name', 'in']),
    Body: {
      if: { type: 'string' },
      then: str,
      else: byKey('type', [
        [['json'], closed({ type: { type: 'string', const: 'json' }, data: { type: ['string', 'object', 'array'] } }, ['type', 'data'])],
        [['text', 'xml', 'sparql'], closed({ type: oneOfStrings('text', 'xml', 'sparql'), data: str }, ['type', 'data'])],
        [['formUrlEncoded'], closed({ type: { type: 'string', const: 'formUrlEncoded' }, data: { oneOf: [str, { type: 'object', additionalProperties: str }] } }, ['type', 'data'])],
        [['multipartForm'], closed({ type: { type: 'string', const: 'multipartForm' }, data: list(closed({ name: str, value: str, filename: str, contentType: str }, ['name', 'value'])) }, ['type', 'data'])],
      ]),
    },
    Authentication: byKey('type', [
      [['basic'], auth('basic', { username: str, password: str })],
      [['apikey'], auth('apikey', { key: str, value: str, placement: oneOfStrings('header', 'query') })],
      [['bearer'], auth('bearer', { token: str })],
      [['digest'], auth('digest', { username: str, password: str })],
      [
        ['oauth2'],
        auth(
          'oauth2',
          { authorizationServerUri: str, resource: str, scopes: strings, audience: str, tokenEndpoint: str, tokenValidation: oneOfStrings('jwks', 'introspection') },
          ['authorizationServerUri', 'resource'],
        ),
      ],
    ]),
    // ---- outputs
    MappedOutput: byKey('type', [
      [['string'], mappedOutput('string', {}, [], true)],
      [['number'], mappedOutput('number', {}, [], true)],
      [['boolean'], mappedOutput('boolean', {}, [], true)],
      [['object'], mappedOutput('object', { properties: { type: 'object', additionalProperties: ref('MappedOutput') } }, ['properties'], false)],
      [['array'], mappedOutput('array', { items: ref('MappedOutput') }, ['items'], false)],
    ]),
    OrchestratedOutput: byKey('type', [
      [['string', 'number', 'boolean'], closed({ name: ref('Name'), type: oneOfStrings('string', 'number', 'boolean') }, ['name', 'type'])],
      [['array'], closed({ name: ref('Name'), type: { const: 'array' }, items: list(ref('OrchestratedOutput'), 1) }, ['name', 'type', 'items'])],
      [['object'], closed({ name: ref('Name'), type: { const: 'object' }, properties: { type: 'object', additionalProperties: ref('OrchestratedOutput') } }, ['name', 'type', 'properties'])],
    ]),
    MockOutput: closed({ name: ref('Name'), type: oneOfStrings('string', 'number', 'boolean'), value: str }, ['name', 'type', 'value']),
    // ---- orchestration
    With: withInjector,
    StepMapping: closed({ targetName: pattern('^[a-zA-Z0-9-_.]+$'), value: str }, ['targetName', 'value']),
    Step: byKey('type', [
        [['call'], closed({ type: { const: 'call' }, name: ref('Kebab'), call: callTarget, with: ref('With') }, ['type', 'name', 'call'])],
        [['lookup'], closed(
          { type: { const: 'lookup' }, name: ref('Kebab'), index: ref('Kebab'), match: ref('Kebab'), lookupValue: str, outputParameters: list(str, 1) },
          ['type', 'name', 'index', 'match', 'lookupValue', 'outputParameters'],
        )],
        [['script'], closed(
          {
            type: { const: 'script' },
            name: ref('Kebab'),
            language: oneOfStrings('javascript', 'python', 'groovy'),
            location: fileUri,
            file: { type: 'string', minLength: 1 },
            dependencies: list({ type: 'string', minLength: 1 }, 1),
            with: ref('With'),
          },
          ['type', 'name', 'file'],
        )],
    ]),
    Aggregate: closed({ label: str, namespace: ref('Kebab'), functions: list(ref('AggregateFunction'), 1) }, ['label', 'namespace', 'functions']),
    AggregateFunction: closed(
      { name: ref('Kebab'), description: str, semantics: closed({ safe: bool, idempotent: bool, cacheable: bool }), ...unitProperties },
      ['name', 'description'],
      choose({ anyOf: [callBranch([]), stepsBranch([]), mockBranch([])] }, when(has('steps'), stepsBranch([]), when(has('call'), callBranch([]), mockBranch([])))),
    ),
    ToolInputParameter: closed({ name: ref('Name'), type: oneOfStrings(...JSON_TYPES), description: str, required: bool }, ['name', 'type', 'description']),
    // ---- exposes: rest
    Rest: closed(
      { type: { type: 'string', const: 'rest' }, address: ref('Address'), port, namespace: ref('Kebab'), authentication: ref('Authentication'), resources: list(ref('RestResource'), 1) },
      ['type', 'port', 'namespace'],
    ),
    RestResource: closed(
      {
        label: str,
        description: str,
        path: str,
        name: ref('Kebab'),
        inputParameters: list(ref('RestInputParameter')),
        operations: list(ref('RestOperation')),
        forward: closed({ targetNamespace: ref('Kebab'), trustedHeaders: list(str, 1) }, ['targetNamespace']),
      },
      ['path'],
      { anyOf: [{ required: ['operations'] }, { required: ['forward'] }] },
    ),
    RestInputParameter: closed(
      { name: ref('Name'), in: oneOfStrings('query', 'header', 'path', 'cookie', 'body'), type: oneOfStrings(...JSON_TYPES), description: str, pattern: str, value: str },
      ['name', 'in', 'type', 'description'],
    ),
    RestOperation: closed(
      {
        name: ref('Kebab'),
        label: str,
        description: str,
        method: oneOfStrings('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        inputParameters: list(ref('RestInputParameter')),
        ref: callTarget,
        call: callTarget,
        with: ref('With'),
        outputParameters: { type: 'array' },
        steps: list(ref('Step'), 1),
        mappings: list(ref('StepMapping')),
      },
      ['method'],
      choose(
        {
          anyOf: [
            { properties: { outputParameters: { items: ref('MappedOutput') } } },
            { required: ['steps', 'name'], properties: { outputParameters: { items: ref('OrchestratedOutput') } } },
            { required: ['ref'] },
          ],
        },
        when(
          has('ref'),
          {},
          when(
            has('steps'),
            { required: ['steps', 'name'], properties: { outputParameters: { items: ref('OrchestratedOutput') } } },
            { properties: { outputParameters: { items: ref('MappedOutput') } } },
          ),
        ),
      ),
    ),
    // ---- exposes: mcp
    Mcp: closed(
      {
        type: { type: 'string', const: 'mcp' },
        transport: oneOfStrings('http', 'stdio'),
        address: ref('Address'),
        port,
        namespace: ref('Kebab'),
        description: str,
        authentication: ref('Authentication'),
        tools: list(ref('Tool'), 1),
        resources: list(ref('McpResource'), 1),
        prompts: list(ref('McpPrompt'), 1),
      },
      ['type', 'namespace', 'tools'],
      choose(
        {
          oneOf: [
            { required: ['transport'], properties: { transport: { const: 'stdio' } }, not: { required: ['port'] } },
            { required: ['port'], properties: { transport: { const: 'http' } } },
          ],
        },
        when(
          { required: ['transport'], properties: { transport: { const: 'stdio' } } },
          { not: { required: ['port'] } },
          { required: ['port'], properties: { transport: { const: 'http' } } },
        ),
      ),
    ),
    Tool: closed(
      { name: ref('Kebab'), label: str, description: str, ref: callTarget, hints: closed({ readOnly: bool, destructive: bool, idempotent: bool, openWorld: bool }), ...unitProperties },
      [],
      choose(
        { anyOf: [callBranch(['name', 'description']), stepsBranch(['name', 'description']), { required: ['ref'] }, mockBranch(['name', 'description'])] },
        when(has('ref'), {}, when(has('steps'), stepsBranch(['name', 'description']), when(has('call'), callBranch(['name', 'description']), mockBranch(['name', 'description'])))),
      ),
    ),
    McpResource: closed(
      {
        name: ref('Name'),
        label: str,
        uri: str,
        description: str,
        mimeType: pattern('^[a-zA-Z0-9!#$&^_.+-]+\\/[a-zA-Z0-9!#$&^_.+-]+(?:\\s*;\\s*[a-zA-Z0-9!#$&^_.+-]+=(?:[a-zA-Z0-9!#$&^_.+-]+|"[^"]*"))*$'),
        call: callTarget,
        with: ref('With'),
        steps: list(ref('Step'), 1),
        mappings: list(ref('StepMapping')),
        outputParameters: { type: 'array' },
        location: fileUri,
      },
      ['name', 'label', 'uri', 'description'],
      choose(
        {
          oneOf: [
            { ...callBranch([]), not: { required: ['location'] } },
            { ...stepsBranch([]), not: { required: ['location'] } },
            { required: ['location'], not: { anyOf: [{ required: ['call'] }, { required: ['steps'] }] } },
          ],
        },
        when(has('location'), { not: { anyOf: [{ required: ['call'] }, { required: ['steps'] }] } }, when(has('steps'), stepsBranch([]), callBranch([]))),
      ),
    ),
    McpPrompt: closed(
      {
        name: ref('Name'),
        label: str,
        description: str,
        arguments: list(closed({ name: ref('Name'), label: str, description: str, required: bool }, ['name', 'description']), 1),
        template: list(closed({ role: oneOfStrings('user', 'assistant'), content: str }, ['role', 'content']), 1),
        location: fileUri,
      },
      ['name', 'label', 'description'],
      choose(
        { oneOf: [{ required: ['template'], not: { required: ['location'] } }, { required: ['location'], not: { required: ['template'] } }] },
        when(has('location'), { not: { required: ['template'] } }, { required: ['template'] }),
      ),
    ),
    // ---- exposes: skill, control
    Skill: closed(
      {
        type: { type: 'string', const: 'skill' },
        address: ref('Address'),
        port,
        namespace: ref('Kebab'),
        description: str,
        authentication: ref('Authentication'),
        skills: list(
          closed(
            {
              name: ref('Kebab'),
              description: { type: 'string', maxLength: 1024 },
              license: str,
              compatibility: { type: 'string', maxLength: 500 },
              metadata: { type: 'object', additionalProperties: str },
              'allowed-tools': { type: 'string', maxLength: 1024 },
              'argument-hint': str,
              'user-invocable': bool,
              'disable-model-invocation': bool,
              location: fileUri,
              tools: list(
                closed(
                  { name: ref('Kebab'), description: str, from: closed({ sourceNamespace: str, action: str }, ['sourceNamespace', 'action']), instruction: str },
                  ['name', 'description'],
                  { oneOf: [{ required: ['from'] }, { required: ['instruction'] }] },
                ),
                1,
              ),
            },
            ['name', 'description'],
          ),
          1,
        ),
      },
      ['type', 'port', 'namespace', 'skills'],
    ),
    Control: closed(
      {
        type: { type: 'string', const: 'control' },
        address: ref('Address'),
        port,
        authentication: ref('Authentication'),
        management: closed({
          health: bool,
          info: bool,
          reload: bool,
          validate: bool,
          logs: { oneOf: [bool, closed({ 'level-control': bool, stream: bool, 'max-subscribers': { type: 'integer', minimum: 1, maximum: 20 } })] },
          scripting: closed({
            enabled: bool,
            defaultLocation: fileUri,
            defaultLanguage: oneOfStrings('javascript', 'python', 'groovy'),
            timeout: { type: 'integer', minimum: 1 },
            statementLimit: { type: 'integer', minimum: 1 },
            allowedLanguages: list(oneOfStrings('javascript', 'python', 'groovy')),
          }),
        }),
        observability: closed({
          enabled: bool,
          metrics: closed({ local: closed({ enabled: bool }) }),
          traces: closed({
            sampling: { type: 'number', minimum: 0, maximum: 1 },
            propagation: oneOfStrings('w3c', 'b3'),
            local: closed({ enabled: bool, 'buffer-size': { type: 'integer', minimum: 10, maximum: 10000 } }),
          }),
          exporters: closed({ otlp: closed({ endpoint: str }, ['endpoint']) }),
        }),
      },
      ['type', 'port'],
    ),
  },
  };
}

/**
 * Our JSON Schema (2020-12) of the strict alpha2 capability document, used by `strict: true`.
 * Written for naftiko-ts; tested to accept and reject the same documents as the official
 * alpha2 schema.
 */
export const capabilitySchema: JsonSchema = buildSchema(true);
/** The same schema, with each set of alternatives resolved to the one the document meant. */
const diagnosticSchema: JsonSchema = buildSchema(false);

let validators: { exact: ValidateFunction; diagnostic: ValidateFunction } | undefined;

/** The compiled validators (compiled once, on first use). */
function compiled(): { exact: ValidateFunction; diagnostic: ValidateFunction } {
  if (!validators) {
    const Ajv2020 = loadAjv2020();
    const ajv = () => new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    validators = { exact: ajv().compile(capabilitySchema), diagnostic: ajv().compile(diagnosticSchema) };
  }
  return validators;
}

/** True when the document is valid against `capabilitySchema`. */
export function isStrictlyValid(doc: unknown): boolean {
  return compiled().exact(doc);
}

const COMPOSITE = new Set(['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else']);

function describe(e: ErrorObject): { code: DiagnosticCode; pointer: string; atKey: boolean; message: string } {
  const base = `#${e.instancePath}`;
  const p = e.params as Record<string, unknown>;
  const segments = e.instancePath.split('/').map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = segments[segments.length - 1] ?? '';
  const label = /^\d+$/.test(field) && segments.length > 2 ? `${segments[segments.length - 2]}[${field}]` : field;
  const name = label ? `\`${label}\`` : 'The document';
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(p['additionalProperty'] ?? p['unevaluatedProperty'] ?? '');
      return { code: 'unknown-key', pointer: `${base}/${escapePointerSegment(key)}`, atKey: true, message: `Property \`${key}\` is not allowed here by the alpha2 schema. Remove it.` };
    }
    case 'required':
      return { code: 'missing-key', pointer: base, atKey: true, message: `${name} needs \`${String(p['missingProperty'])}\` (alpha2 schema).` };
    case 'type':
      return { code: 'invalid-type', pointer: base, atKey: false, message: `${name} must be of type ${String(p['type'])} (alpha2 schema).` };
    case 'const':
      return { code: 'invalid-value', pointer: base, atKey: false, message: `${name} must be \`${String(p['allowedValue'])}\` (alpha2 schema).` };
    case 'enum':
      return { code: 'invalid-value', pointer: base, atKey: false, message: `${name} must be one of ${(p['allowedValues'] as unknown[]).map((v) => `\`${String(v)}\``).join(', ')} (alpha2 schema).` };
    case 'pattern':
      return { code: 'invalid-value', pointer: base, atKey: false, message: `${name} must match \`${String(p['pattern'])}\` (alpha2 schema).` };
    case 'minimum':
    case 'maximum':
      return { code: field === 'port' ? 'invalid-port' : 'invalid-value', pointer: base, atKey: false, message: `${name} ${e.message ?? 'is out of range'} (alpha2 schema).` };
    default:
      return { code: 'schema-violation', pointer: base, atKey: false, message: `${name} ${e.message ?? 'is invalid'} (alpha2 schema, \`${e.keyword}\`).` };
  }
}

/**
 * Validate the document against `capabilitySchema`; one diagnostic (severity error) per
 * distinct problem and place. Composite (`oneOf`/`anyOf`) failures are only reported where no
 * more specific error explains them.
 */
export function validateStrict(doc: unknown, map: SourceMap, source: string): Diagnostic[] {
  const { exact, diagnostic } = compiled();
  if (exact(doc)) return [];
  // Report errors from the intent schema; if it happens to accept the document (an ambiguous
  // mix of alternatives), fall back to the exact schema's errors.
  const errors = (diagnostic(doc) ? exact.errors : diagnostic.errors) ?? exact.errors ?? [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (COMPOSITE.has(e.keyword) && errors.some((x) => !COMPOSITE.has(x.keyword) && x.instancePath.startsWith(e.instancePath))) continue;
    const d = describe(e);
    const id = `${d.code}\u0000${d.pointer}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ code: d.code, severity: 'error', message: d.message, pointer: d.pointer, range: map.range(d.pointer, d.atKey), source });
  }
  return out;
}
