// The tiny protocol between the harness and a target process.
// - The target prints ONE line on stdout: `{"event":"listening","ports":{...}}` (nothing else goes to stdout).
// - On SIGTERM/SIGINT it closes and exits with process.exit(0), so `node --cpu-prof` writes its profile.
// - Configuration comes from the environment: BENCH_UPSTREAM (origin of the stand-in).

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
    Promise.resolve()
      .then(close)
      .then(
        () => process.exit(0),
        () => process.exit(0),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export function upstreamOrigin() {
  const origin = process.env.BENCH_UPSTREAM;
  if (!origin) fail(new Error('BENCH_UPSTREAM is not set (origin of the upstream stand-in)'));
  return origin;
}
