import { MonitorInputSchema } from '../../../shared/contracts/monitor.ts';
import { summaryText } from '../../../shared/model/monitor/summary.ts';
import { usageError } from '../cli-errors.ts';
import type { CliCommand } from '../command.ts';
import { heading } from '../format.ts';
import { defined, intOption, numberOption, parseInput, stringOption } from '../options.ts';
import { PASSWORD_HELP, PASSWORD_OPTIONS, requireSipPassword } from '../password.ts';
import { eventLines, intervalLine, parseDuration } from './monitor-format.ts';

export const monitorCommand: CliCommand = {
  usage:
    'monitor --stun-server HOST[:PORT] [--interval S] [--echo-uri SIP_URI --echo-every N] [--registrar HOST --user U --password-file F] [--duration D] [--history FILE] [--json]',
  help: [
    'Every interval (default 60 s, ± 10 % jitter) a light probe set runs:',
    '  STUN   Binding from the SIP port and from a fresh port: public IP, mapped port, mapping',
    '         behaviour, whether the SIP port still takes inbound packets; 20 pings for loss and RTT',
    "  router UPnP IGD / NAT-PMP / PCP: external IP, uptime/epoch (reboots), NatScope's own mappings",
    '  SIP    a REGISTER refresh from the SIP port, when an account is given',
    '  echo   every Nth interval a short echo call with loss, jitter, RTT and MOS',
    'Changes are reported as events with before/after and advice. Everything is appended to a',
    'JSON-lines history that survives a crash; running again with the same --history continues it.',
    '',
    'Options:',
    '  --interval S             seconds between intervals (default 60)',
    '  --duration D             stop after D: 90, 90s, 30m, 24h, 7d (default: until Ctrl-C)',
    '  --stun-server HOST[:PORT]  STUN server (an RFC 5780 one also gives the mapping behaviour)',
    '  --sip-port N             the local SIP port to watch (default 5060)',
    '  --echo-uri SIP_URI       echo service for the periodic call',
    '  --echo-every N           call every Nth interval (default 10: every 10 min at 60 s)',
    '  --echo-seconds S         media seconds per echo call (default 10)',
    '  --registrar HOST[:PORT]  refresh a registration every interval (UDP, from the SIP port)',
    '  --user U                 account user name',
    ...PASSWORD_HELP,
    '  --pings N                STUN pings per interval for loss/RTT (default 20, 0 = none)',
    '  --no-router              do not ask the router',
    '  --history FILE           history file (default: monitor-history.jsonl in the state directory)',
    "  --json                   stream JSON lines: the history's interval and event records, then a summary",
    '',
    'Ctrl-C stops it and prints the summary. Example:',
    '  natscope monitor --stun-server stun.example.net --echo-uri sip:9196@conference.freeswitch.org',
  ].join('\n'),
  options: {
    interval: { type: 'string' },
    duration: { type: 'string' },
    'stun-server': { type: 'string' },
    'sip-port': { type: 'string' },
    'echo-uri': { type: 'string' },
    'echo-every': { type: 'string' },
    'echo-seconds': { type: 'string' },
    registrar: { type: 'string' },
    user: { type: 'string' },
    ...PASSWORD_OPTIONS,
    pings: { type: 'string' },
    'no-router': { type: 'boolean', default: false },
    history: { type: 'string' },
  },
  async run(ctx) {
    const { services, io, json, values, signal } = ctx;
    const str = (k: string) => stringOption(values, k);
    const registrar = str('registrar');
    const user = str('user');
    if ((registrar || user) && !(registrar && user)) throw usageError('--registrar and --user go together');
    if (!registrar && (str('password') !== undefined || str('password-file') !== undefined))
      throw usageError('a password needs --registrar and --user');
    const durationText = str('duration');
    const durationSec = durationText === undefined ? undefined : parseDuration(durationText);
    if (durationSec === null)
      throw usageError(`--duration must look like 90, 90s, 30m, 24h or 7d, got "${durationText}"`);
    const input = parseInput(
      MonitorInputSchema,
      defined({
        intervalSec: numberOption(values, 'interval', 1, 3600),
        durationSec,
        stunServer: str('stun-server'),
        sipPort: intOption(values, 'sip-port', 1, 65535),
        echoUri: str('echo-uri'),
        echoEvery: intOption(values, 'echo-every', 1, 100_000),
        echoSeconds: numberOption(values, 'echo-seconds', 2, 60),
        pings: intOption(values, 'pings', 0, 100),
        router: values['no-router'] !== true,
        account: registrar && user ? { registrar, username: user, password: '' } : undefined,
      }),
      {
        durationSec: '--duration',
        stunServer: '--stun-server',
        echoUri: '--echo-uri',
        account: '--registrar',
      },
    );
    // asked for last, once everything else is known to be usable
    if (input.account)
      input.account.password = await requireSipPassword(ctx, input.account.username, input.account.registrar);
    if (!input.stunServer && !json)
      io.err('note: without --stun-server the public address, NAT mapping and loss are not watched');
    const out = (o: unknown) => io.out(JSON.stringify(o));
    const result = await services.monitor.run(
      input,
      {
        signal,
        emit: (e) => {
          if (e.kind === 'started') {
            if (json)
              out({
                type: 'started',
                file: e.file,
                resumed: e.resumed,
                previousIntervals: e.previousIntervals,
              });
            else
              io.err(
                `monitor: ${e.resumed ? `continuing ${e.file} (${e.previousIntervals} intervals so far)` : `writing ${e.file}`}; Ctrl-C stops and prints the summary`,
              );
          } else if (e.kind === 'interval') {
            if (json) out(e.sample);
            else io.out(intervalLine(e.sample));
          } else if (json) out(e.event);
          else for (const l of eventLines(e.event)) io.out(l);
        },
      },
      { historyPath: str('history') },
    );
    const text = summaryText(result.summary);
    if (json)
      out({
        type: 'summary',
        file: result.file,
        stoppedBy: result.stoppedBy,
        intervals: result.intervals,
        summary: result.summary,
        text,
      });
    else {
      io.out(heading('Summary'));
      io.out(text);
      io.out(
        `History: ${result.file} (${result.intervals} intervals in this run, ${result.summary.intervals} in all)`,
      );
    }
    return 0;
  },
};
