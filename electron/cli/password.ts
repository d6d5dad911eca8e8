/**
 * Where the SIP password comes from. `--password P` shows the secret to everyone who can list
 * processes (and keeps it in the shell history), so it still works but warns. Better, in this
 * order: `--password-file FILE` (first line), NATSCOPE_SIP_PASSWORD, or, on a terminal, a prompt
 * that does not echo what is typed.
 */
import { readFile, stat } from 'node:fs/promises';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { usageError } from './cli-errors.ts';
import type { CliContext } from './command.ts';
import { stringOption } from './options.ts';

export const PASSWORD_OPTIONS = {
  password: { type: 'string' },
  'password-file': { type: 'string' },
} as const;

export const PASSWORD_HELP = [
  '  --password-file FILE    read the SIP password from FILE (first line); or set NATSCOPE_SIP_PASSWORD;',
  '                          on a terminal NatScope asks for it without echoing. Never printed.',
  '  --password P            works, but shows the password in the process list: NatScope warns',
];

/** The password, or undefined when none was given and there is no terminal to ask on. */
export function sipPassword(ctx: CliContext, account: string): Promise<string | undefined> {
  return readSecret(ctx, {
    option: 'password',
    env: 'NATSCOPE_SIP_PASSWORD',
    prompt: `SIP password for ${account}: `,
  });
}

/**
 * A secret from `--<option>-file FILE`, `--<option> VALUE` (warned), the environment variable, or
 * (with `prompt`) a no-echo prompt on a terminal — in that order. Undefined when none applies.
 */
export async function readSecret(
  ctx: CliContext,
  spec: { option: string; env: string; prompt?: string },
): Promise<string | undefined> {
  const { values, io } = ctx;
  const inline = stringOption(values, spec.option);
  const file = stringOption(values, `${spec.option}-file`);
  if (inline !== undefined && file !== undefined)
    throw usageError(`--${spec.option} and --${spec.option}-file exclude each other: give one`);
  if (file !== undefined) return readPasswordFile(file, io.err, `${spec.option}-file`);
  if (inline !== undefined) {
    io.err(
      `warning: --${spec.option} shows the secret to anyone who can list processes (and keeps it in your shell history); use --${spec.option}-file FILE, ${spec.env}${spec.prompt ? ' or the prompt' : ''} instead`,
    );
    return inline;
  }
  const env = process.env[spec.env];
  if (env !== undefined) return env;
  if (!spec.prompt || process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
  return promptHidden(spec.prompt, ctx.signal);
}

/** The password for `user` at `registrar`; bad usage (naming the ways to give one) when there is none. */
export async function requireSipPassword(ctx: CliContext, user: string, registrar: string): Promise<string> {
  const password = await sipPassword(ctx, `${user}@${registrar}`);
  if (password === undefined)
    throw usageError(
      `--user ${user} needs a password: --password-file FILE, NATSCOPE_SIP_PASSWORD, or run on a terminal to be asked`,
    );
  return password;
}

async function readPasswordFile(
  file: string,
  warn: (t: string) => void,
  option = 'password-file',
): Promise<string> {
  if (file === '') throw usageError(`--${option} needs a file name`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
    if (((await stat(file)).mode & 0o077) !== 0 && process.platform !== 'win32')
      warn(`warning: ${file} can be read by other users (chmod 600 ${file})`);
  } catch (err) {
    throw usageError(
      `cannot read --${option} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw usageError(`--${option} ${file}: the first line is empty`);
  return first;
}

/** Reads one line from the terminal without echoing it (raw mode, so nothing is shown at all). */
function promptHidden(question: string, signal: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      signal.removeEventListener('abort', onAbort);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const cancelled = () => new NatScopeError('cancelled', 'password prompt cancelled');
    const onAbort = () => finish(cancelled());
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || (ch === '\u0004' && typed === '')) return finish(cancelled());
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    // echo off before the question shows, so nothing typed after it is ever echoed
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    process.stderr.write(question);
    stdin.on('data', onData);
    signal.addEventListener('abort', onAbort, { once: true });
    stdin.resume();
  });
}
