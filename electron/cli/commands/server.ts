import net from 'node:net';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { jsonLogger, type LogLevel } from '../../engine/companion/logger.ts';
import { DEFAULT_SIP_LIMITS } from '../../engine/companion/sip-listener.ts';
import { DEFAULT_COMPANION_LIMITS } from '../../engine/companion/companion-server.ts';
import type { CliCommand } from '../command.ts';
import { intOption } from '../options.ts';

export const serverCommand: CliCommand = {
  usage:
    'server --address IP [--alternate-address IP2] [--stun-port 3478] [--stun-alt-port 3479] [--sip-port 5060 --sip-port 5062 …] [--no-stun] [--no-sip] [--no-echo] [--no-tcp] [--workers N] [--stun-io recvmmsg|dgram] [--log-level L] [--json]',
  help: [
    'Options:',
    '  --address IP            public address to serve on (STUN primary, SIP)',
    '  --alternate-address IP2 second address: enables RFC 5780 behaviour discovery (CHANGE-REQUEST)',
    '  --stun-port N           STUN port (default 3478); --stun-alt-port N: second port (default 3479)',
    '  --sip-port N            SIP port, UDP and TCP; repeat for several (default 5060 and 5062)',
    '  --no-stun, --no-sip     leave out the STUN server / every SIP service',
    '  --no-echo               SIP reflector only: no echo UAS (INVITEs are reflected, no call)',
    '  --no-tcp                SIP over UDP only',
    '  --log-level L           debug, info (default), warn or error',
    '  --tcp-lifetime S        longest a SIP TCP connection may live, keep-alives or not (default 300)',
    '  --workers N             answer STUN on N threads (SO_REUSEPORT; one per core; default 1)',
    '  --stun-io recvmmsg|dgram  STUN socket I/O: batched recvmmsg/sendmmsg (Linux, native addon built by',
    '                          npm run build:node; the default where present) or node:dgram (the fallback)',
    `  --stun-rate N           STUN requests/s per source (IPv4 /32, IPv6 /64; default ${DEFAULT_COMPANION_LIMITS.stunPerSec})`,
    `  --stun-total-rate N     STUN requests/s from all sources together (default ${DEFAULT_COMPANION_LIMITS.stunTotalPerSec})`,
    '',
    'Logs are JSON lines on stdout (with --json: one startup document on stdout, logs on stderr).',
    'Safe to expose: nothing goes anywhere but back to the sender; a UDP source that has not proved it',
    'receives (one 401 challenge, see docs/companion-protocol.md) gets at most 3x its bytes back, once;',
    'per-source (IPv4 /32, IPv6 /64) and total caps on rates, calls, callbacks and TCP connections;',
    'no credentials are stored and Authorization is never logged.',
    'Stop with Ctrl-C / SIGTERM.',
    '',
    'Example:',
    '  natscope server --address 203.0.113.10 --alternate-address 198.51.100.10',
  ].join('\n'),
  options: {
    address: { type: 'string' },
    'alternate-address': { type: 'string' },
    'stun-port': { type: 'string' },
    'stun-alt-port': { type: 'string' },
    'sip-port': { type: 'string', multiple: true },
    'no-stun': { type: 'boolean', default: false },
    'no-sip': { type: 'boolean', default: false },
    'no-echo': { type: 'boolean', default: false },
    'no-tcp': { type: 'boolean', default: false },
    'log-level': { type: 'string' },
    'tcp-lifetime': { type: 'string' },
    workers: { type: 'string' },
    'stun-io': { type: 'string' },
    'stun-rate': { type: 'string' },
    'stun-total-rate': { type: 'string' },
  },
  async run({ services, io, json, values, signal }) {
    const address = values.address;
    if (typeof address !== 'string' || !net.isIP(address))
      throw new NatScopeError('bad-request', '--address must be an IP address of this host');
    const alt = values['alternate-address'];
    if (alt !== undefined && (typeof alt !== 'string' || !net.isIP(alt) || alt === address)) {
      throw new NatScopeError('bad-request', '--alternate-address must be a second IP address of this host');
    }
    const port = (k: string, def: number) => {
      const v = values[k];
      if (v === undefined) return def;
      const n = Number(v);
      if (typeof v !== 'string' || !/^\d+$/.test(v) || n < 1 || n > 65535)
        throw new NatScopeError('bad-request', `--${k} must be a port from 1 to 65535`);
      return n;
    };
    const rawSip = (values['sip-port'] as string[] | undefined) ?? ['5060', '5062'];
    const sipPorts = [
      ...new Set(
        rawSip.map((p) => {
          const n = Number(p);
          if (!/^\d+$/.test(p) || n < 1 || n > 65535)
            throw new NatScopeError('bad-request', `--sip-port must be a port from 1 to 65535, got "${p}"`);
          return n;
        }),
      ),
    ];
    const level = (values['log-level'] as string | undefined) ?? 'info';
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw new NatScopeError('bad-request', '--log-level must be debug, info, warn or error');
    const logger = jsonLogger(json ? io.err : io.out, level as LogLevel);
    const lifetime = intOption(values, 'tcp-lifetime', 5, 86_400);
    const workers = intOption(values, 'workers', 1, 256) ?? 1;
    const stunIo = values['stun-io'];
    if (stunIo !== undefined && stunIo !== 'recvmmsg' && stunIo !== 'dgram')
      throw new NatScopeError('bad-request', '--stun-io must be recvmmsg or dgram');
    const stunRate = intOption(values, 'stun-rate', 1, 1_000_000);
    const stunTotal = intOption(values, 'stun-total-rate', 1, 100_000_000);
    const limits = {
      ...(lifetime === undefined ? {} : { sip: { ...DEFAULT_SIP_LIMITS, tcpLifetimeMs: lifetime * 1000 } }),
      ...(stunRate === undefined ? {} : { stunPerSec: stunRate, stunBurst: 2 * stunRate }),
      ...(stunTotal === undefined ? {} : { stunTotalPerSec: stunTotal }),
    };
    const server = await services.companion
      .serve({
        address,
        alternateAddress: alt as string | undefined,
        stunPort: port('stun-port', 3478),
        stunAltPort: port('stun-alt-port', 3479),
        sipPorts,
        stun: values['no-stun'] !== true,
        sip: values['no-sip'] !== true,
        echo: values['no-echo'] !== true,
        tcp: values['no-tcp'] !== true,
        logger,
        limits,
        stunWorkers: workers,
        stunIo: stunIo as 'recvmmsg' | 'dgram' | undefined,
      })
      .catch((err: unknown) => {
        throw new NatScopeError(
          'refused',
          `cannot start the server: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
    const doc = {
      stun: server.stun.map(formatEndpoint),
      sip: server.sip.map((s) => `${s.transport} ${formatEndpoint(s.endpoint)}`),
      echo: values['no-echo'] !== true,
      workers,
      stunIo: server.stunIo ?? null,
      rfc5780: alt !== undefined && values['no-stun'] !== true,
    };
    if (json) io.out(JSON.stringify(doc));
    else
      io.err(
        `natscope server: STUN ${doc.stun.join(', ') || 'off'}; SIP ${doc.sip.join(', ') || 'off'}${doc.echo ? ' (reflector + echo UAS)' : ' (reflector)'}${workers > 1 ? `; STUN on ${workers} threads` : ''}${server.stunIo ? ` (${server.stunIo})` : ''}. Ctrl-C stops.`,
      );
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    logger.log('info', 'server.stats', server.stats());
    return 0;
  },
};
