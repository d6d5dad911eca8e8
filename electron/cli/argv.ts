import type { CliOptions } from './command.ts';

/**
 * `--duration -5`: node's parseArgs refuses a value that starts with a dash as "ambiguous", which
 * tells the user nothing about the number. A negative number after an option that takes a value is
 * joined to it (`--duration=-5`), so the command's own check refuses it with a message about the
 * value ("--duration must be 1–600 seconds, got -5").
 */
export function joinNegativeValues(args: readonly string[], options: CliOptions): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const name = /^--([^=]+)$/.exec(a)?.[1] ?? shortName(a, options);
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function shortName(a: string, options: CliOptions): string | undefined {
  const m = /^-([A-Za-z])$/.exec(a);
  if (!m) return undefined;
  return Object.entries(options).find(([, o]) => o.short === m[1])?.[0];
}

/** Whether the user asked for JSON, read before (or despite) a parse failure. */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}
