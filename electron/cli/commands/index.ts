import type { CliCommand } from '../command.ts';
import { networkCommand } from './network.ts';
import { algCommand } from './alg.ts';
import { demoCommand } from './demo.ts';
import { serverCommand } from './server.ts';
import { callCommand } from './call.ts';
import { serveCommand } from './serve.ts';
import { routerCommand } from './router.ts';
import { mapCommand } from './map.ts';
import { natCommand } from './nat.ts';
import { diagnoseCommand } from './diagnose.ts';
import { turnCommand } from './turn.ts';
import { monitorCommand } from './monitor.ts';

/** Every `natscope` sub-command, in the order `natscope --help` lists them. */
export const commands: CliCommand[] = [
  networkCommand,
  natCommand,
  routerCommand,
  mapCommand,
  callCommand,
  algCommand,
  turnCommand,
  diagnoseCommand,
  monitorCommand,
  serverCommand,
  demoCommand,
  serveCommand,
];
