import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ServerError } from './errors.js';

/**
 * Reads a dotenv file (`NAME=value`, `#` comments, quotes) with Node's own parser.
 * Returns only string values.
 */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ServerError('SERVER_USAGE', `cannot read --env-file ${file} (${code})`, { cause });
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/**
 * The environment the server resolves variables and secrets from: the env file fills in,
 * the real environment wins (the dotenv convention, so a deployment can override a file).
 */
export function mergeEnv(
  fileEnv: Record<string, string>,
  processEnv: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...fileEnv };
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}
