import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseServeArgs } from '../src/args.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** A small Dockerfile parser: comments, `\` continuations, one instruction per logical line. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (buffer === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (buffer === '') start = index + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buffer);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot parse \`${buffer}\``);
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buffer = '';
  });
  if (buffer !== '') throw new Error('Dockerfile ends inside a continuation');
  return out;
}

const KNOWN = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

describe('deploy/Dockerfile', () => {
  const instructions = parseDockerfile(readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8'));

  it('uses only known instructions and starts with FROM', () => {
    for (const i of instructions) expect(KNOWN.has(i.keyword), `line ${i.line}: ${i.keyword}`).toBe(true);
    expect(instructions[0]?.keyword).toBe('FROM');
  });

  it('builds on a Node that satisfies engines (>= 20.18.1) and copies from a declared stage', () => {
    const stages = instructions.filter((i) => i.keyword === 'FROM');
    const names = stages.map((s) => /\bAS\s+(\S+)/i.exec(s.args)?.[1]);
    for (const s of stages) {
      const m = /^node:(\d+)\.(\d+)/.exec(s.args);
      expect(m, s.args).not.toBeNull();
      const [major, minor] = [Number(m![1]), Number(m![2])];
      expect(major > 20 || (major === 20 && minor >= 18)).toBe(true);
    }
    for (const c of instructions.filter((i) => i.keyword === 'COPY' && i.args.includes('--from='))) {
      expect(names).toContain(/--from=(\S+)/.exec(c.args)![1]);
    }
  });

  it('runs the CLI as a non-root user, with arguments the CLI accepts, exposing the ports it serves', () => {
    const entry = JSON.parse(instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
    const cmd = JSON.parse(instructions.find((i) => i.keyword === 'CMD')!.args) as string[];
    expect(entry).toEqual(['node', '/app/bin/naftiko-ts.mjs']);
    expect(existsSync(path.join(root, 'apps/server/bin/naftiko-ts.mjs'))).toBe(true);
    expect(cmd[0]).toBe('serve');
    const args = parseServeArgs(cmd.slice(1));
    const exposed = instructions
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map(Number)
      .sort();
    expect(exposed).toEqual([args.restPort, args.mcpPort].sort());
    expect(args.host).toBe('0.0.0.0');
    const users = instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
  });
});

describe('deploy/kubernetes.yaml', () => {
  const docs = parseAllDocuments(readFileSync(path.join(root, 'deploy/kubernetes.yaml'), 'utf8'));
  for (const d of docs) expect(d.errors).toEqual([]);
  const objects = docs.map((d) => d.toJS() as Record<string, any>);
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const service = objects.find((o) => o.kind === 'Service')!;

  it('has a Deployment and a Service with matching selectors', () => {
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(service.apiVersion).toBe('v1');
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(deployment.spec.replicas).toBeGreaterThan(1); // stateless: several replicas
  });

  it('container args are valid CLI arguments and the ports line up', () => {
    const container = deployment.spec.template.spec.containers[0];
    expect(container.args[0]).toBe('serve');
    const args = parseServeArgs(container.args.slice(1));
    const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
    expect(ports).toEqual({ rest: args.restPort, mcp: args.mcpPort });
    for (const p of service.spec.ports) expect(Object.keys(ports)).toContain(p.targetPort);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'rest' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'rest' });
  });

  it('secrets come from a Secret, never inline; drain time exceeds the 10 s shutdown bound', () => {
    const container = deployment.spec.template.spec.containers[0];
    expect(container.env ?? []).toEqual([]);
    expect(container.envFrom[0].secretRef.name).toBeTruthy();
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });
});
