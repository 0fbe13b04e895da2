#!/usr/bin/env node
// Re-render a bench report from its JSON (the runs are kept), e.g. after a change to how results
// are summarised:  node bench/src/render.mjs bench/results/<timestamp>.json [--write]
import fs from 'node:fs';
import { summarise, addRatios, verdicts, toMarkdown } from './lib/report.mjs';

const [file, flag] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/src/render.mjs <report.json> [--write]\n');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
for (const [name, t] of Object.entries(report.targets)) {
  if (t.runs) report.targets[name] = { ...t, ...summarise(t.runs), runs: t.runs };
}
addRatios(report.targets);
report.verdicts = verdicts(report.targets, report.coldStart, { smoke: report.meta.smoke });
const md = toMarkdown(report);
if (flag === '--write') {
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(file.replace(/\.json$/, '.md'), `${md}\n`);
}
process.stdout.write(`${md}\n`);
