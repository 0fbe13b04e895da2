import type { Logger } from '@naftiko-ts/consumer';

/** A logger that drops everything (the default: libraries never print). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
