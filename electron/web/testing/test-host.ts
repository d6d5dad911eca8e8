// A web host over a throw-away UI folder and stub services; run directly, it prints its port
// (host-process.ts spawns it that way).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '../../services/services.ts';
import { startWebHost, type WebHost } from '../server.ts';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** Only app.info answers; any other method fails inside its handler (an error frame, never a crash). */
export function startTestHost(): Promise<WebHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'natscope-web-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>NatScope</title>');
  const services = {
    app: { info: async () => ({ version: 'test' }) },
  } as unknown as Services;
  return startWebHost({ services, rendererDir: dir, port: 0, token: TEST_TOKEN });
}

if (process.argv[1] === import.meta.filename) {
  const host = await startTestHost();
  process.stdout.write(`${JSON.stringify({ port: host.port })}\n`);
}
