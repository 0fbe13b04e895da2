// Child processes: spawn (optionally pinned with taskset), wait for the "listening" line, sample
// peak RSS, stop. taskset execs the program, so the pid we get is the node process itself.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { once } from 'node:events';
import readline from 'node:readline';

/** Every child still running, so that an interrupted harness can stop them all. */
const live = new Set();
export function killAll(signal = 'SIGTERM') {
  for (const child of live) child.kill(signal);
}

let tasksetPath;
/** @returns {boolean} whether pinning is possible (taskset present and at least 2 CPUs allowed) */
export function canPin() {
  if (process.platform !== 'linux') return false;
  if (tasksetPath === undefined) {
    tasksetPath = null;
    for (const p of ['/usr/bin/taskset', '/bin/taskset', '/usr/local/bin/taskset']) {
      if (fs.existsSync(p)) tasksetPath = p;
    }
  }
  return tasksetPath !== null && os.availableParallelism() >= 2;
}

/** Pin an existing process (the harness itself, which runs the load generator). */
export function pinPid(pid, cpu) {
  execFileSync(tasksetPath, ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * Spawn a child and wait until it has printed its "listening" JSON line.
 * @param {{ name: string, args: string[], env?: Record<string,string>, cpu?: number, nodeArgs?: string[],
 *           readyLine?: (line: string) => object | undefined, timeoutMs?: number, cwd?: string }} o
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, pid: number, info: any, readyMs: number, stderr: () => string, stop: () => Promise<number|null> }>}
 */
export async function startProcess(o) {
  const nodeArgs = o.nodeArgs ?? [];
  const argv = [...nodeArgs, ...o.args];
  const useTaskset = o.cpu !== undefined && canPin();
  const file = useTaskset ? tasksetPath : process.execPath;
  const args = useTaskset ? ['-c', String(o.cpu), process.execPath, ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const child = spawn(file, args, {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    // stdin is a pipe the bench targets watch: when the harness dies, it closes and they exit.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  const parse = o.readyLine ?? defaultReadyLine;
  const exited = once(child, 'exit');
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${o.name}: not listening after ${o.timeoutMs ?? 30000} ms\n${stderr.slice(-2000)}`));
    }, o.timeoutMs ?? 30_000);
    let done = false;
    const onLine = (line) => {
      if (done) return;
      let got;
      try {
        got = parse(line);
      } catch {
        got = undefined;
      }
      if (got) {
        done = true;
        clearTimeout(timer);
        resolve(got);
      }
    };
    // stdout carries the target's "listening" line; a CLI may log its addresses on stderr.
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    exited.then(([code, signal]) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`${o.name}: exited (${signal ?? code}) before listening: ${withoutStack(stderr).slice(-1500)}`));
    });
  }).catch(async (err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    child,
    pid: child.pid,
    info,
    readyMs,
    t0,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const [code] = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** stderr without stack frames (the message lines are what a report needs). */
export function withoutStack(text) {
  return text
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .join('\n')
    .trim();
}

function defaultReadyLine(line) {
  if (!line.startsWith('{')) return undefined;
  const msg = JSON.parse(line);
  return msg && msg.event === 'listening' ? msg : undefined;
}

/** Peak resident set size (VmHWM) of a live process, in bytes; falls back to current RSS via ps. */
export function peakRss(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux, or gone
  }
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
    const kb = Number(out.trim());
    return Number.isFinite(kb) && kb > 0 ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}

let clockTicks;
/**
 * CPU time (user + system) a live process has used so far, in ms, from /proc/<pid>/stat.
 * Unlike req/s, CPU per request hardly depends on how busy the machine is.
 */
export function cpuTimeMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (clockTicks === undefined) {
      try {
        clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
      } catch {
        clockTicks = 100;
      }
    }
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}
