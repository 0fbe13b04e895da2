const BRAND = Symbol.for('naftiko-ts.spec.error');

export const SPEC_ERROR_CODES = ['SPEC_INVALID_CAPABILITY', 'SPEC_INTERNAL'] as const;
export type SpecErrorCode = (typeof SPEC_ERROR_CODES)[number];

/**
 * Base error of `@naftiko-ts/spec`. `parseCapability` never throws; callers that refuse a
 * capability with errors may throw `SpecError('SPEC_INVALID_CAPABILITY', …)`.
 */
export class SpecError extends Error {
  readonly code: SpecErrorCode;
  readonly [BRAND] = true;

  constructor(code: SpecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpecError';
    this.code = code;
  }

  static isInstance(value: unknown): value is SpecError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
