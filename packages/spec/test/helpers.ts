import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(packageRoot, '../..');
export const shared = path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(path.join(shared, 'corpus/bigcommerce'));
export const corpusDir = path.join(shared, 'corpus/bigcommerce');
export const seedFile = path.join(shared, 'capabilities/storefront-token-customer-impersonation-token.yaml');
export const officialSchemaFile = path.join(shared, 'upstream-specs/naftiko-capability-schema-1.0.0-alpha2.json');
export const fixturesDir = path.join(packageRoot, 'test/fixtures');

if (!hasShared) console.warn(`${shared} not found: corpus, seed and official-schema tests skipped`);

export function corpusFiles(): string[] {
  if (!hasShared) return [];
  return fs
    .readdirSync(corpusDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

export function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** Reads imports relative to the importing file, inside the fixtures folder. */
export function fixtureReader(location: string, fromSource: string): string {
  const file = path.resolve(fixturesDir, path.dirname(fromSource), location.replace(/^file:\/\//, ''));
  // Keep absolute paths out of pinned diagnostics (CI checks the repository out elsewhere).
  if (!fs.existsSync(file)) throw new Error('no such file');
  return fs.readFileSync(file, 'utf8');
}
