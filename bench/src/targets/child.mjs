// The tiny protocol between the harness and a target process.
// - The target prints ONE line on stdout: `{"event":"listening","ports":{...}}` (nothing else goes to stdout).
// - On SIGTERM/SIGINT it closes and exits with process.exit(0), so `node --cpu-prof` writes its profile.
// - Configuration comes from the environment: BENCH_UPSTREAM (origin of the stand-in).
// - With BENCH_PROFILE=<file>, SIGUSR2 starts the V8 CPU profiler (the harness sends it when the
//   measured phase begins, after the warm-up) and the profile is written to <file> at shutdown, so
//   that the profile covers the measured load only, not start-up.
import fs from 'node:fs';
import inspector from 'node:inspector';

let profiler;
if (process.env.BENCH_PROFILE) {
  process.on('SIGUSR2', () => {
    if (profiler) return;
    profiler = new inspector.Session();
    profiler.connect();
    profiler.post('Profiler.enable', () => {
      profiler.post('Profiler.setSamplingInterval', { interval: 200 }, () => profiler.post('Profiler.start'));
    });
  });
}

function writeProfile() {
  return new Promise((resolve) => {
    if (!profiler) return resolve();
    profiler.post('Profiler.stop', (err, res) => {
      if (!err && res && res.profile) fs.writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(res.profile));
      profiler.disconnect();
      resolve();
    });
  });
}

export function announce(ports, extra = {}) {
  process.stdout.write(`${JSON.stringify({ event: 'listening', ports, ...extra, pid: process.pid })}\n`);
}

export function fail(err) {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
}

/**
 * @param {() => Promise<unknown>} close graceful close
 * @param {() => void} [force] called when the graceful close takes too long (keep-alive sockets)
 */
export function onShutdown(close, force) {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    // Keep-alive connections from the load generator are gone by now, but be sure.
    const timer = setTimeout(() => {
      if (force) force();
      process.exit(0);
    }, 2000);
    timer.unref();
    writeProfile()
      .then(close)
      .then(
        () => process.exit(0),
        () => process.exit(0),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The harness holds our stdin open: end of stdin means it is gone, and so should we be.
  if (!process.stdin.isTTY) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

export function upstreamOrigin() {
  const origin = process.env.BENCH_UPSTREAM;
  if (!origin) fail(new Error('BENCH_UPSTREAM is not set (origin of the upstream stand-in)'));
  return origin;
}
