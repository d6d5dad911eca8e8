import { parseArgs } from 'node:util';
import { NatScopeError, toWireError } from '../../shared/contracts/errors.ts';
import { createServices } from '../services/services.ts';
import { APP_VERSION } from '../version.ts';
import type { CliCommand, CliIo } from './command.ts';
import { commands } from './commands/index.ts';

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
    '  -h, --help     show help (also: natscope <command> --help)',
    '  -V, --version  print the version',
  ].join('\n');
}

function commandHelp(c: CliCommand): string {
  return [`Usage: natscope ${c.usage}`, '', c.summary, ...(c.help ? ['', c.help] : [])].join('\n');
}

/** Runs the CLI and returns the exit code: 0 ok, 1 the command failed, 2 bad usage. */
export async function runCli(argv: string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(APP_VERSION);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`natscope: unknown command "${name}". Run "natscope --help" for the list.`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    io.err(`natscope ${name}: ${(err as Error).message}\nUsage: natscope ${command.usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  if (values.help) {
    io.out(commandHelp(command));
    return 0;
  }
  const json = values.json === true;
  try {
    return await command.run({
      services: createServices('cli'),
      io,
      json,
      values,
      positionals: parsed.positionals,
      signal,
    });
  } catch (err) {
    const wire = toWireError(err);
    if (json) io.out(JSON.stringify(wire, null, 2));
    io.err(`natscope ${name}: ${wire.error.message}${err instanceof NatScopeError ? ` [${err.code}]` : ''}`);
    return err instanceof NatScopeError && err.code === 'bad-request' ? 2 : 1;
  }
}
