import { fileURLToPath } from 'node:url';
import { startWebHost } from '../../web/server.ts';
import { checkDefaultsFromEnv } from '../../services/app-service.ts';
import { createServices } from '../../services/services.ts';
import { usageError } from '../cli-errors.ts';
import type { CliCommand } from '../command.ts';
import { removeLeftovers } from './router-format.ts';

export const DEFAULT_WEB_PORT = 7780;

export const serveCommand: CliCommand = {
  usage:
    'serve [--port N] [--stun-server HOST[:PORT] …] [--reflector HOST[:PORT]] [--echo-uri SIP_URI] [--json]',
  help: [
    'Options:',
    `  --port N              port on 127.0.0.1 (default ${DEFAULT_WEB_PORT}; 0 picks a free one)`,
    '  --stun-server H[:P]   "Check my connection" uses these STUN servers (repeatable; default: the built-in list)',
    '  --reflector H[:P]     ... and this `natscope server` for a conclusive SIP ALG test (default: heuristics)',
    '  --echo-uri URI        ... and calls this echo service (default: sip:9196@conference.freeswitch.org)',
    '  (or set NATSCOPE_STUN_SERVERS=a,b  NATSCOPE_REFLECTOR=…  NATSCOPE_ECHO_URI=…)',
    '',
    'Open the printed URL: it carries a random token, and only pages served by this',
    'process may use the connection. Stop with Ctrl-C.',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    'stun-server': { type: 'string', multiple: true },
    reflector: { type: 'string' },
    'echo-uri': { type: 'string' },
  },
  async run({ io, json, values, signal }) {
    const rawPort = (values.port as string | undefined) ?? String(DEFAULT_WEB_PORT);
    const port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535)
      throw usageError(`--port must be a number from 0 to 65535, got "${rawPort}"`);
    const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url)).replace(/\/$/, '');
    const fromEnv = checkDefaultsFromEnv(process.env);
    const stunServers = (values['stun-server'] as string[] | undefined) ?? fromEnv.stunServers;
    const reflector = (values.reflector as string | undefined) ?? fromEnv.reflector;
    const echoUri = (values['echo-uri'] as string | undefined) ?? fromEnv.echoUri;
    if (echoUri !== undefined && !/^sips?:/i.test(echoUri)) {
      io.err(`natscope serve: --echo-uri must be a sip: or sips: URI, got "${echoUri}"`);
      return 2;
    }
    const services = createServices('web', {
      checkDefaults: {
        ...(stunServers?.length ? { stunServers } : {}),
        ...(reflector ? { reflector } : {}),
        ...(echoUri ? { echoUri } : {}),
      },
    });
    // Mappings a crashed NatScope left behind go first (a no-op when the ledger has none).
    void removeLeftovers({ services, io, signal: AbortSignal.timeout(20_000) }, {}).catch(() => {});
    const host = await startWebHost({ services, rendererDir, port });
    if (json) io.out(JSON.stringify({ url: host.url, port: host.port }));
    else io.out(`NatScope web mode: open ${host.url}\n(listening on 127.0.0.1:${host.port}; Ctrl-C stops)`);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await host.close();
    // The offline demo's loopback servers (companion + simulated router) go with the first Ctrl-C.
    await services.companion.stopDemo();
    // Every mapping this process created through the UI is removed before it exits.
    const released = await services.router.releaseSession();
    if (released.removed > 0) io.err(`removed ${released.removed} port mapping(s) NatScope created`);
    for (const f of released.failed) io.err(`warning: could not remove a mapping: ${f}`);
    return 0;
  },
};
