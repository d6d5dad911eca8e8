import { fileURLToPath } from 'node:url';
import { startWebHost } from '../../web/server.ts';
import { createServices } from '../../services/services.ts';
import { usageError } from '../cli-errors.ts';
import type { CliCommand } from '../command.ts';
import { removeLeftovers } from './router-format.ts';

export const DEFAULT_WEB_PORT = 7780;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the NatScope UI to a browser on 127.0.0.1 (web mode)',
  usage: 'serve [--port N] [--json]',
  help: [
    'Options:',
    `  --port N   port on 127.0.0.1 (default ${DEFAULT_WEB_PORT}; 0 picks a free one)`,
    '',
    'Open the printed URL: it carries a random token, and only pages served by this',
    'process may use the connection. Stop with Ctrl-C.',
  ].join('\n'),
  options: { port: { type: 'string' } },
  async run({ io, json, values, signal }) {
    const rawPort = (values.port as string | undefined) ?? String(DEFAULT_WEB_PORT);
    const port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535)
      throw usageError(`--port must be a number from 0 to 65535, got "${rawPort}"`);
    const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url)).replace(/\/$/, '');
    const services = createServices('web');
    // Mappings a crashed NatScope left behind go first (a no-op when the ledger has none).
    void removeLeftovers({ services, io, signal: AbortSignal.timeout(20_000) }, {}).catch(() => {});
    const host = await startWebHost({ services, rendererDir, port });
    if (json) io.out(JSON.stringify({ url: host.url, port: host.port }));
    else io.out(`NatScope web mode: open ${host.url}\n(listening on 127.0.0.1:${host.port}; Ctrl-C stops)`);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await host.close();
    // Every mapping this process created through the UI is removed before it exits.
    const released = await services.router.releaseSession();
    if (released.removed > 0) io.err(`removed ${released.removed} port mapping(s) NatScope created`);
    for (const f of released.failed) io.err(`warning: could not remove a mapping: ${f}`);
    return 0;
  },
};
