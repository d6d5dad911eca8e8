import type { z } from 'zod';
import { algMethods } from './alg.ts';
import { appMethods } from './app.ts';
import { callMethods } from './call.ts';
import { monitorMethods } from './monitor.ts';
import { incomingMethods } from './incoming.ts';
import { natMethods } from './nat.ts';
import { networkMethods } from './network.ts';
import { reportMethods } from './report.ts';
import { routerMethods } from './router.ts';
import { turnMethods } from './turn.ts';
import { webrtcMethods } from './webrtc.ts';

/**
 * The one typed contract between the front doors (Electron IPC, web-mode WebSocket, CLI) and the
 * services. Each method: an input schema, an output schema, and the schema of the events it streams
 * while running (progress, live stats; `z.never()` when it streams none). Adding a method here makes
 * the compiler demand a handler in electron/services/handlers.ts.
 */
export interface MethodSpec {
  input: z.ZodType;
  output: z.ZodType;
  event: z.ZodType;
}

export const contract = {
  ...algMethods,
  ...appMethods,
  ...callMethods,
  ...monitorMethods,
  ...incomingMethods,
  ...natMethods,
  ...networkMethods,
  ...routerMethods,
  ...reportMethods,
  ...turnMethods,
  ...webrtcMethods,
} satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;
export type MethodEvent<M extends MethodName> = z.output<Contract[M]['event']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

export * from './errors.ts';
