// Environment for serving the whole corpus: every bind source key gets a placeholder value, so that
// capabilities needing other secrets (BIGCOMMERCE_USER…) can start. Computed once in the harness,
// before spawning, so that it does not count in the target's start-up time.
import fs from 'node:fs';
import path from 'node:path';
import { API_KEY, CORPUS_DIR } from './fixtures.mjs';

export async function corpusEnv() {
  const { parseCapability } = await import('@naftiko-ts/spec');
  const env = { BIGCOMMERCE_API_KEY: API_KEY };
  for (const name of fs.readdirSync(CORPUS_DIR).filter((f) => /\.ya?ml$/.test(f))) {
    const file = path.join(CORPUS_DIR, name);
    const text = fs.readFileSync(file, 'utf8');
    // `{{env.X}}` templates (the corpus uses them in auth without declaring X in `binds`).
    for (const m of text.matchAll(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) {
      if (!(m[1] in env)) env[m[1]] = `bench-placeholder-${m[1].toLowerCase()}`;
    }
    const { capability } = parseCapability(text, { source: file });
    for (const bind of capability?.binds ?? []) {
      if (bind.location) continue;
      for (const sourceKey of Object.values(bind.keys)) {
        if (!(sourceKey in env)) env[sourceKey] = `bench-placeholder-${sourceKey.toLowerCase()}`;
      }
    }
  }
  return env;
}
