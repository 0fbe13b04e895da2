#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 caches compiled code between runs (a no-op, absent, on Node 20).
module.enableCompileCache?.();

const { main } = await import('../dist/cli.js');

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`naftiko-ts: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
