// Entry point of the `natscope` binary (bundled to dist/cli/natscope.mjs).
import { runCli } from './main.ts';

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First signal: let the command clean up (remove mappings, send BYE). Second: leave now.
    if (++interrupts > 1) process.exit(130);
    controller.abort(new Error(`interrupted by ${sig}`));
  });
}

// `natscope network | head -3`: the reader went away; stop quietly instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

const code = await runCli(
  process.argv.slice(2),
  {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    interactive: process.stderr.isTTY === true,
  },
  controller.signal,
);
process.exitCode = code;
