/** Codes of {@link EmulatorError}: a closed set. */
export type EmulatorErrorCode =
  /** Invalid options passed to `startEmulator` (unknown store, duplicate token…). */
  | 'EMULATOR_CONFIG'
  /** The server could not listen (port in use, bad host). */
  | 'EMULATOR_LISTEN'
  /** A string given to `decodeJwt` is not a well-formed JWT. */
  | 'EMULATOR_JWT';

const BRAND = Symbol.for('naftiko-ts.bigcommerce-emulator.error');

/** Base error of `@naftiko-ts/bigcommerce-emulator`. Never carries a secret in its message. */
export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  readonly [BRAND] = true;

  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorError';
    this.code = code;
  }

  /** Brand check that works across two installed copies of this package. */
  static isInstance(value: unknown): value is EmulatorError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
