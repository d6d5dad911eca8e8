import type { parseArgs as ParseArgs } from 'node:util';
import type { Services } from '../services/services.ts';
import { APP_VERSION } from '../version.ts';
import { joinNegativeValues, wantsJson } from './argv.ts';
import { cliFailure, EXIT, usageError } from './cli-errors.ts';
import type { CliCommand, CliIo, CommandEntry } from './command.ts';
import { commands } from './commands/index.ts';
import { jsonTerminalSafe, terminalSafe } from './terminal-safe.ts';

// Not `import { parseArgs } from 'node:util'`: an ES import of node:util evaluates every lazy export
// of the module (streams, net, worker_threads…), a third of a bare Node start-up.
const parseArgs: typeof ParseArgs = process.getBuiltinModule('node:util').parseArgs;

const GLOBAL_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

export function usage(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `NatScope ${APP_VERSION} — why VoIP calls break behind NAT`,
    '',
    'Usage: natscope <command> [options] [--json]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Global options:',
    '  --json         print one JSON document on stdout and nothing else there',
    '                 (on failure: {"error": {"code", "message"}})',
    '  -h, --help     show help (also: natscope <command> --help)',
    '  -V, --version  print the version',
    '',
    `Exit codes: ${EXIT.ok} ok, ${EXIT.failed} the check failed, ${EXIT.usage} bad usage (see each command's help for more).`,
  ].join('\n');
}

function commandHelp(entry: CommandEntry, c: CliCommand): string {
  return [`Usage: natscope ${c.usage}`, '', entry.summary, ...(c.help ? ['', c.help] : [])].join('\n');
}

/** The services, imported only when a command runs: `--help` and usage errors never load them. */
async function cliServices(): Promise<Services> {
  const { createServices } = await import('../services/services.ts');
  return createServices('cli');
}

/**
 * What reaches stdout/stderr: human output has control characters from the network shown escaped
 * (terminal-safe.ts); a JSON document stays exact JSON.
 */
function safeIo(io: CliIo, json: boolean): CliIo {
  return {
    out: (t) => io.out(json ? jsonTerminalSafe(t) : terminalSafe(t)),
    err: (t) => io.err(terminalSafe(t)),
    interactive: io.interactive,
  };
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 the command failed, 2 bad usage. Tests may hand
 * in their own services. Only the chosen command's module is loaded (commands/index.ts).
 */
export async function runCli(
  argv: string[],
  rawIo: CliIo,
  signal: AbortSignal,
  makeServices: () => Services | Promise<Services> = cliServices,
): Promise<number> {
  const json = wantsJson(argv);
  const io = safeIo(rawIo, json);
  const name = argv[0];
  const where = name && !name.startsWith('-') ? `natscope ${name}` : 'natscope';
  const fail = (err: unknown, usageLine?: string): number => {
    const { wire, exit } = cliFailure(err);
    if (json) io.out(JSON.stringify(wire, null, 2));
    io.err(
      `${where}: ${wire.error.message}${wire.error.code !== 'bad-request' ? ` [${wire.error.code}]` : ''}`,
    );
    if (usageLine) io.err(`Usage: natscope ${usageLine}`);
    if (exit === EXIT.usage) io.err(`Run "${where} --help" for more.`);
    return exit;
  };
  const version = () => {
    io.out(json ? JSON.stringify({ name: 'natscope', version: APP_VERSION }) : APP_VERSION);
    return EXIT.ok;
  };
  const help = (text: string) => {
    io.out(json ? JSON.stringify({ help: text }) : text);
    return EXIT.ok;
  };
  const global = argv.filter((a) => a !== '--json');
  if (global.length === 0) {
    if (!json) io.out(usage());
    return fail(usageError('no command given: natscope <command> (natscope --help lists them)'));
  }
  if (name === '--help' || name === '-h' || name === 'help' || global[0] === '--help' || global[0] === '-h')
    return help(usage());
  if (global[0] === '--version' || global[0] === '-V') return version();
  const entry = commands.find((c) => c.name === name);
  if (!entry) return fail(usageError(`unknown command "${name}"; "natscope --help" lists the commands`));
  const command = await entry.load();
  let parsed;
  try {
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    parsed = parseArgs({
      args: joinNegativeValues(argv.slice(1), options),
      options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    return fail(usageError((err as Error).message), command.usage);
  }
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  if (values.help) return help(commandHelp(entry, command));
  if (values.version) return version();
  try {
    return await command.run({
      services: await makeServices(),
      io,
      json,
      values,
      positionals: parsed.positionals,
      signal,
    });
  } catch (err) {
    return fail(err);
  }
}
