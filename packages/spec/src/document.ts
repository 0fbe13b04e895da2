/**
 * Raw types of a Naftiko capability document (alpha2), as written in YAML.
 *
 * These describe the file, not the normalised model (see model.ts). Lenient deviations seen in
 * real files are included as optional fields and marked "lenient".
 */

export type RawJsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
export type RawHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface NaftikoDocument {
  naftiko: string;
  info?: RawInfo;
  /** Shared consumer definitions (a consumes-only file). */
  consumes?: Array<RawConsumesHttp | RawImportedConsumesHttp>;
  binds?: RawBinding[];
  capability?: RawCapability;
}

export interface RawInfo {
  label: string;
  description: string;
  tags?: string[];
  created?: string;
  modified?: string;
  stakeholders?: RawPerson[];
}

export interface RawPerson {
  role: string;
  fullName: string;
  email?: string;
}

export interface RawBinding {
  namespace: string;
  description?: string;
  /** `file://…`, `vault://…`; absent → environment. */
  location?: string;
  /** `VAR: SOURCE_KEY`. */
  keys: Record<string, string>;
}

export interface RawCapability {
  binds?: RawBinding[];
  exposes?: RawExposes[];
  consumes?: Array<RawConsumesHttp | RawImportedConsumesHttp>;
  aggregates?: RawAggregate[];
}

// ----- Consumes -----------------------------------------------------------------------------

export interface RawImportedConsumesHttp {
  location: string;
  import: string;
  as?: string;
  description?: string;
}

export interface RawConsumesHttp {
  type: 'http';
  namespace: string;
  description?: string;
  baseUri: string;
  inputParameters?: RawConsumedInputParameter[];
  authentication?: RawAuthentication;
  resources?: RawConsumedResource[];
}

export interface RawConsumedResource {
  name: string;
  label?: string;
  description?: string;
  path: string;
  inputParameters?: RawConsumedInputParameter[];
  operations: RawConsumedOperation[];
}

export interface RawConsumedOperation {
  name: string;
  label?: string;
  description?: string;
  method: RawHttpMethod;
  inputParameters?: RawConsumedInputParameter[];
  outputRawFormat?: 'json' | 'xml' | 'avro' | 'protobuf' | 'csv' | 'tsv' | 'psv' | 'yaml' | 'html' | 'markdown';
  outputSchema?: string;
  outputParameters?: RawConsumedOutputParameter[];
  body?: RawRequestBody;
}

export type RawParameterLocation = 'query' | 'header' | 'path' | 'cookie' | 'body' | 'environment';

export interface RawConsumedInputParameter {
  name: string;
  in: RawParameterLocation;
  value?: string;
  /** lenient */
  type?: RawJsonType;
  /** lenient */
  description?: string;
  /** lenient */
  required?: boolean;
}

export interface RawConsumedOutputParameter {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  value: string;
}

export type RawRequestBody =
  | { type: 'json'; data: string | Record<string, unknown> | unknown[] }
  | { type: 'text' | 'xml' | 'sparql'; data: string }
  | { type: 'formUrlEncoded'; data: string | Record<string, string> }
  | { type: 'multipartForm'; data: Array<{ name: string; value: string; filename?: string; contentType?: string }> }
  | string;

// ----- Authentication -----------------------------------------------------------------------

export type RawAuthentication = RawAuthBasic | RawAuthApiKey | RawAuthBearer | RawAuthDigest | RawAuthOAuth2;

export interface RawAuthBasic {
  type: 'basic';
  username?: string;
  password?: string;
}
export interface RawAuthApiKey {
  type: 'apikey';
  key?: string;
  value?: string;
  placement?: 'header' | 'query';
}
export interface RawAuthBearer {
  type: 'bearer';
  token?: string;
}
export interface RawAuthDigest {
  type: 'digest';
  username?: string;
  password?: string;
}
export interface RawAuthOAuth2 {
  type: 'oauth2';
  authorizationServerUri: string;
  resource: string;
  scopes?: string[];
  audience?: string;
  tokenEndpoint?: string;
  tokenValidation?: 'jwks' | 'introspection';
  /** lenient (client credentials on the consumed side) */
  clientId?: string;
  /** lenient */
  clientSecret?: string;
}

// ----- Exposes ------------------------------------------------------------------------------

export type RawExposes = RawExposesRest | RawExposesMcp | RawExposesSkill | RawExposesControl;

export interface RawExposesRest {
  type: 'rest';
  namespace: string;
  port: number;
  address?: string;
  /** lenient */
  description?: string;
  authentication?: RawAuthentication;
  resources?: RawExposedResource[];
}

export interface RawExposedResource {
  path: string;
  name?: string;
  label?: string;
  description?: string;
  inputParameters?: RawExposedInputParameter[];
  operations?: RawExposedOperation[];
  forward?: RawForwardConfig;
}

export interface RawForwardConfig {
  targetNamespace: string;
  trustedHeaders?: string[];
}

export interface RawExposedInputParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie' | 'body';
  type: RawJsonType;
  description: string;
  pattern?: string;
  value?: string;
}

export type RawWith = Record<string, string | number>;

export interface RawExposedOperation {
  method: RawHttpMethod;
  name?: string;
  label?: string;
  description?: string;
  inputParameters?: RawExposedInputParameter[];
  ref?: string;
  call?: string;
  with?: RawWith;
  outputParameters?: RawOutputParameter[];
  steps?: RawOperationStep[];
  mappings?: RawStepOutputMapping[];
}

/** Mapped (call mode), orchestrated (steps mode) or mock output parameter. */
export interface RawOutputParameter {
  name?: string;
  type: RawJsonType;
  mapping?: string;
  const?: unknown;
  value?: string;
  properties?: Record<string, RawOutputParameter>;
  items?: RawOutputParameter | RawOutputParameter[];
}

export interface RawExposesMcp {
  type: 'mcp';
  namespace: string;
  transport?: 'http' | 'stdio';
  port?: number;
  address?: string;
  description?: string;
  authentication?: RawAuthentication;
  tools: RawMcpTool[];
  resources?: RawMcpResource[];
  prompts?: RawMcpPrompt[];
}

export interface RawMcpToolHints {
  readOnly?: boolean;
  destructive?: boolean;
  idempotent?: boolean;
  openWorld?: boolean;
}

export interface RawMcpToolInputParameter {
  name: string;
  type: RawJsonType;
  description: string;
  required?: boolean;
}

export interface RawMcpTool {
  name: string;
  label?: string;
  description: string;
  inputParameters?: RawMcpToolInputParameter[];
  ref?: string;
  call?: string;
  with?: RawWith;
  steps?: RawOperationStep[];
  mappings?: RawStepOutputMapping[];
  hints?: RawMcpToolHints;
  outputParameters?: RawOutputParameter[];
}

export interface RawMcpResource {
  name: string;
  label: string;
  uri: string;
  description: string;
  mimeType?: string;
  call?: string;
  with?: RawWith;
  steps?: RawOperationStep[];
  mappings?: RawStepOutputMapping[];
  outputParameters?: RawOutputParameter[];
  location?: string;
}

export interface RawMcpPrompt {
  name: string;
  label: string;
  description: string;
  arguments?: Array<{ name: string; label?: string; description: string; required?: boolean }>;
  template?: Array<{ role: 'user' | 'assistant'; content: string }>;
  location?: string;
}

export interface RawExposesSkill {
  type: 'skill';
  namespace: string;
  port: number;
  address?: string;
  description?: string;
  authentication?: RawAuthentication;
  skills: Array<{
    name: string;
    description: string;
    license?: string;
    compatibility?: string;
    metadata?: Record<string, string>;
    'allowed-tools'?: string;
    'argument-hint'?: string;
    'user-invocable'?: boolean;
    'disable-model-invocation'?: boolean;
    location?: string;
    tools?: Array<{ name: string; description: string; from?: { sourceNamespace: string; action: string }; instruction?: string }>;
  }>;
}

export interface RawExposesControl {
  type: 'control';
  port: number;
  address?: string;
  authentication?: RawAuthentication;
  management?: Record<string, unknown>;
  observability?: Record<string, unknown>;
}

// ----- Orchestration and aggregates ----------------------------------------------------------

export type RawOperationStep =
  | { type: 'call'; name: string; call: string; with?: RawWith }
  | { type: 'lookup'; name: string; index: string; match: string; lookupValue: string; outputParameters: string[] }
  | {
      type: 'script';
      name: string;
      file: string;
      language?: 'javascript' | 'python' | 'groovy';
      location?: string;
      dependencies?: string[];
      with?: RawWith;
    };

export interface RawStepOutputMapping {
  targetName: string;
  value: string;
}

export interface RawAggregate {
  label: string;
  namespace: string;
  functions: RawAggregateFunction[];
}

export interface RawAggregateFunction {
  name: string;
  description: string;
  semantics?: { safe?: boolean; idempotent?: boolean; cacheable?: boolean };
  inputParameters?: RawMcpToolInputParameter[];
  call?: string;
  with?: RawWith;
  steps?: RawOperationStep[];
  mappings?: RawStepOutputMapping[];
  outputParameters?: RawOutputParameter[];
}
