/**
 * V8 flags for `natscope server` only (issue #19: idle RSS and RSS after load). The launcher
 * restarts the process in place with them (execve: same process id, so service managers and
 * benchmarks keep watching the right process); every other command starts as it is.
 *
 * --single-threaded: V8 compiles and collects garbage on the isolate's own thread instead of
 *   handing work to its background threads, each of which keeps a malloc arena that grew under load
 *   and was never given back (bench/stun-load.ts, 30 s at 10k/s: RSS idle + 12.6 MiB without the
 *   flag, idle + 9.0 MiB with it). The cost: the few dozen optimising compiles of the hot path run
 *   on the main thread, once, when load starts (a few ms each), and GC marking is no longer
 *   concurrent, which with a few MB of old generation is short; young-generation pauses were the
 *   same (median 0.32 ms at 40k/s). One core per thread is what the server uses anyway: more cores
 *   are --workers N.
 */
export const SERVER_V8_FLAGS = ['--single-threaded'] as const;

/**
 * The argv to restart `natscope server` with (execve), or null: not the server command, the flags
 * are already there (the restarted process), NATSCOPE_SERVER_V8_FLAGS=0, or Windows (no execve).
 */
export function serverReexec(
  argv: readonly string[],
  execArgv: readonly string[],
  env: Record<string, string | undefined>,
  platform: string,
): string[] | null {
  const [node, script, command] = argv;
  if (command !== 'server' || !node || !script) return null;
  if (platform === 'win32' || env.NATSCOPE_SERVER_V8_FLAGS === '0') return null;
  if (SERVER_V8_FLAGS.every((f) => execArgv.includes(f))) return null;
  return [
    node,
    ...execArgv,
    ...SERVER_V8_FLAGS.filter((f) => !execArgv.includes(f)),
    script,
    ...argv.slice(2),
  ];
}
