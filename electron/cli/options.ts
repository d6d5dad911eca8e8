/**
 * Reading option values the same way in every command: a number out of range, an option given
 * twice where that makes no sense, or input a contract schema refuses all become one bad-usage
 * error that names the option and the value.
 */
import type { z } from 'zod';
import { issuesText, usageError } from './cli-errors.ts';
import type { CliValues } from './command.ts';

export function stringOption(values: CliValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole number within [min, max], or undefined when the option is absent. */
export function intOption(values: CliValues, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max)
    throw usageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** A number (decimals allowed) within [min, max], or undefined when the option is absent. */
export function numberOption(values: CliValues, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw usageError(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** One of `choices`, or undefined when the option is absent. */
export function choiceOption<T extends string>(
  values: CliValues,
  name: string,
  choices: readonly T[],
): T | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw))
    throw usageError(
      `--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}, got "${raw}"`,
    );
  return raw as T;
}

/** Refuses options that exclude each other when more than one is set. */
export function exclusive(values: CliValues, names: string[]): void {
  const set = names.filter((n) => values[n] !== undefined && values[n] !== false);
  if (set.length > 1)
    throw usageError(`${set.map((n) => `--${n}`).join(' and ')} exclude each other: give one`);
}

/**
 * The input parsed by a contract schema; a refusal is bad usage in the schema's own words, with the
 * input field named as the user typed it (`flags`: field → option, e.g. durationSec → --duration).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  flags: Record<string, string> = {},
): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const field = String(i.path[0] ?? '');
    return field in flags ? { path: [flags[field]!], message: i.message } : i;
  });
  throw usageError(issuesText(issues));
}

/** Drops undefined fields so schema defaults apply. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whole numbers within [min, max] from a repeatable option (`--idle 15 --idle 30` or `--idle 15,30`). */
export function intListOption(
  values: CliValues,
  name: string,
  min: number,
  max: number,
): number[] | undefined {
  const raw = values[name];
  const list = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter(
    (v): v is string => typeof v === 'string',
  );
  if (list.length === 0) return undefined;
  return list
    .flatMap((v) => v.split(','))
    .map((v) => {
      const n = Number(v);
      if (!/^\s*-?\d+\s*$/.test(v) || n < min || n > max)
        throw usageError(`--${name} must be whole numbers from ${min} to ${max}, got "${v}"`);
      return n;
    });
}
