// Spawns the test web host (test-host.ts) in a child process so a crash is a dead process, as it
// would be for `natscope serve`, not an error the test runner swallows; and checks it still works.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { rawExchange, statusOf } from './raw-client.ts';
import { TEST_TOKEN } from './test-host.ts';

export { TEST_TOKEN };
const ENTRY = fileURLToPath(new URL('./test-host.ts', import.meta.url));

export interface HostProcess {
  port: number;
  token: string;
  /** Exit code or signal once the process died; null while it runs. */
  death(): string | null;
  /** Everything it wrote to stderr (a crash's stack trace). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `startTestHost` in a child Node process (this file run directly). */
export async function spawnTestHost(): Promise<HostProcess> {
  const child = spawn(process.execPath, [ENTRY], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [first] = (await Promise.race([
    once(child.stdout, 'data'),
    once(child, 'exit').then(() => {
      throw new Error(`test host exited at start: ${stderr}`);
    }),
  ])) as [Buffer];
  const { port } = JSON.parse(String(first)) as { port: number };
  return {
    port,
    token: TEST_TOKEN,
    death: () =>
      child.exitCode !== null ? `exit ${child.exitCode}` : child.signalCode ? child.signalCode : null,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** The host process still runs, serves the page and answers a contract call over a real WebSocket. */
export async function expectAlive(h: HostProcess): Promise<void> {
  expect(h.death(), h.stderr()).toBeNull();
  const page = await rawExchange(
    h.port,
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nConnection: close\r\n\r\n`,
  );
  expect(statusOf(page.received)).toBe(200);
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/rpc?token=${h.token}`, {
    origin: `http://127.0.0.1:${h.port}`,
  });
  const answer = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'request', id: '1', method: 'app.info', input: {} })));
    ws.on('message', (d) => resolve(String(d)));
    ws.on('error', reject);
  });
  ws.close();
  expect(JSON.parse(answer)).toMatchObject({ type: 'result', id: '1', output: { version: 'test' } });
}
