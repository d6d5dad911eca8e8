import type { ParseArgsConfig } from 'node:util';
import type { Services } from '../services/services.ts';

/** Where a command writes: stdout carries results (one JSON document with --json), stderr progress. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress lines may be redrawn. */
  interactive: boolean;
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;
export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliContext {
  services: Services;
  io: CliIo;
  json: boolean;
  values: CliValues;
  positionals: string[];
  /** Aborted on Ctrl-C / SIGTERM so a command can clean up (e.g. remove port mappings) and exit. */
  signal: AbortSignal;
}

/** A command's module: loaded only when the command runs (or its `--help` is asked for). */
export interface CliCommand {
  /** Usage line after `natscope `, e.g. "nat --server HOST[:PORT] [--json]". */
  usage: string;
  /** Extra help text: flags and examples. */
  help?: string;
  options: CliOptions;
  /** Allows positional arguments (e.g. `call SIP_URI`). */
  positionals?: boolean;
  /** Returns the process exit code. */
  run(ctx: CliContext): Promise<number>;
}

/**
 * One line in `commands/index.ts`: what `natscope --help` lists, and how to load the command. The
 * module is imported only when its command runs, so `natscope --help` and a quick command such as
 * `natscope network` never load the others (TLS, HTTP, WebSocket, every contract schema).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}
