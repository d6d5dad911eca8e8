import { readFile } from 'node:fs/promises';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import type { CliIo, CliValues } from './command.ts';

/**
 * The SIP password from, in order: --password-file FILE (its first line), --password P (visible in
 * the process list, so a warning says so), or the NATSCOPE_SIP_PASSWORD environment variable.
 * Returns undefined when none is given. The password is never printed.
 */
export async function passwordFrom(
  values: CliValues,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const file = values['password-file'];
  if (typeof file === 'string') {
    const text = await readFile(file, 'utf8').catch((e: Error) => {
      throw new NatScopeError('bad-request', `cannot read --password-file ${file}: ${e.message}`);
    });
    const first = text.split(/\r?\n/)[0] ?? '';
    if (first === '') throw new NatScopeError('bad-request', `--password-file ${file} is empty`);
    return first;
  }
  if (typeof values.password === 'string') {
    io.err('warning: --password is visible to other users in the process list; prefer --password-file');
    return values.password;
  }
  return env.NATSCOPE_SIP_PASSWORD;
}
