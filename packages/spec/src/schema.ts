import type { Diagnostic } from './diagnostics.js';
import type { JsonSchema } from './model.js';
import type { SourceMap } from './source.js';

export const capabilitySchema: JsonSchema = { type: 'object' };

export function validateStrict(_doc: unknown, _map: SourceMap, _source: string): Diagnostic[] {
  return [];
}
