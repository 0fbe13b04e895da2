export { parseCapability } from './parse.js';
export type { ParseOptions, ParseResult } from './parse.js';
export {
  DIAGNOSTIC_CODES,
  DEVIATION_CODES,
  formatDiagnostic,
  formatDiagnostics,
  hasErrors,
  editDistance,
  closest,
} from './diagnostics.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
export {
  parseUrlTemplate,
  formatUrlTemplate,
  parseTemplate,
  parseExpression,
  resolveReference,
  inputReferenceName,
  expressionRefs,
  hasTemplate,
} from './templates.js';
export type { ExpressionContext } from './templates.js';
export { capabilitySchema, isStrictlyValid } from './schema.js';
export { SUPPORTED_VERSIONS, ADAPTER_TYPES, AUTH_TYPES, MAX_TOOL_NAME, resolveLocation } from './normalise.js';
export { SpecError, SPEC_ERROR_CODES } from './errors.js';
export type { SpecErrorCode } from './errors.js';
export { escapePointerSegment } from './source.js';
export type {
  JsonSchema,
  JsonType,
  HttpMethod,
  SourcePosition,
  SourceRange,
  Ref,
  TemplatePart,
  Expr,
  UrlTemplate,
  Bind,
  Authentication,
  ParameterLocation,
  ConsumedParameter,
  ConsumedOutputParameter,
  RequestBodyTemplate,
  OutputRawFormat,
  ConsumedOperation,
  ConsumedApi,
  InputLocation,
  InputOrigin,
  ExposedInput,
  OutputShape,
  OutputMapping,
  ResolvedCall,
  ExecutionMode,
  RestRoute,
  RestAdapter,
  McpToolAnnotations,
  McpTool,
  McpResourceDecl,
  McpPromptDecl,
  McpAdapter,
  OtherAdapter,
  ExposedAdapter,
  CapabilityInfo,
  Capability,
} from './model.js';
export type { RawJsonType, RawHttpMethod, NaftikoDocument, RawInfo, RawPerson, RawBinding, RawCapability, RawImportedConsumesHttp, RawConsumesHttp, RawConsumedResource, RawConsumedOperation, RawParameterLocation, RawConsumedInputParameter, RawConsumedOutputParameter, RawRequestBody, RawAuthentication, RawAuthBasic, RawAuthApiKey, RawAuthBearer, RawAuthDigest, RawAuthOAuth2, RawExposes, RawExposesRest, RawExposedResource, RawForwardConfig, RawExposedInputParameter, RawWith, RawExposedOperation, RawOutputParameter, RawExposesMcp, RawMcpToolHints, RawMcpToolInputParameter, RawMcpTool, RawMcpResource, RawMcpPrompt, RawExposesSkill, RawExposesControl, RawOperationStep, RawStepOutputMapping, RawAggregate, RawAggregateFunction } from './document.js';
