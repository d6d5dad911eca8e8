import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/** Starts the built CLI's web mode on a free port and returns the URL it prints (with its token). */
export async function startWebMode(
  o: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const cli = path.resolve(import.meta.dirname, '../../dist/cli/natscope.mjs');
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await Promise.race([
    once(child.stdout!, 'data').then(([d]) => String(d)),
    once(child, 'exit').then(() => {
      throw new Error(`natscope serve exited early: ${stderr}`);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`natscope serve did not start in 10 s: ${stderr}`)), 10_000),
    ),
  ]);
  const { url, port } = JSON.parse(first) as { url: string; port: number };
  return {
    url,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
