import type { CliCommand } from '../command.ts';
import { networkCommand } from './network.ts';
import { serveCommand } from './serve.ts';

/** Every `natscope` sub-command, in the order `natscope --help` lists them. */
export const commands: CliCommand[] = [networkCommand, serveCommand];
