/**
 * The CLI's error contract: every failure is one `{"error": {code, message, detail?}}` document on
 * stdout under --json (and a one-line message on stderr always), never a stack trace, and the exit
 * code says who is at fault.
 */
import { NatScopeError, toWireError, type WireError } from '../../shared/contracts/errors.ts';

/** Exit codes (documented in the README and `natscope --help`). */
export const EXIT = {
  ok: 0,
  /** The check ran and failed, or a peer/server/device did not cooperate. */
  failed: 1,
  /** Bad usage: unknown command or option, a value out of range, options that exclude each other. */
  usage: 2,
  /** `map verify`: the mapping does not forward. */
  notForwarded: 3,
  /** Stopped by a second Ctrl-C. */
  interrupted: 130,
} as const;

/** "path: message; path: message" from schema issues (what a user typed, said in words). */
export function issuesText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function usageError(message: string): NatScopeError {
  return new NatScopeError('bad-request', message);
}

/** zod's error, recognised without importing zod (the CLI's start-up path stays free of it). */
function isZodError(err: unknown): err is Error & { issues: { path: PropertyKey[]; message: string }[] } {
  return (
    err instanceof Error && err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues)
  );
}

/**
 * The wire error and exit code for anything a command threw. A schema failure is the user's input
 * that a service checked: bad usage with a readable message, not an `internal` zod dump.
 */
export function cliFailure(err: unknown): { wire: WireError; exit: number } {
  if (isZodError(err))
    return { wire: toWireError(usageError(`invalid input: ${issuesText(err.issues)}`)), exit: EXIT.usage };
  const wire = toWireError(err);
  if (err instanceof NatScopeError && err.code === 'bad-request') {
    // issue arrays from a schema stay out of the message; keep them as detail only when they are not zod's raw dump
    return { wire: { error: { code: 'bad-request', message: err.message } }, exit: EXIT.usage };
  }
  return { wire, exit: EXIT.failed };
}
