import type { MethodEvent, MethodName, MethodOutput, Contract } from '../../shared/contracts/index.ts';
import type { z } from 'zod';
import type { CallContext } from './call-context.ts';
import type { Services } from './services.ts';

export type Handler<M extends MethodName> = (
  input: z.output<Contract[M]['input']>,
  ctx: CallContext<MethodEvent<M>>,
) => Promise<MethodOutput<M>>;

export type Handlers = { [M in MethodName]: Handler<M> };

/** The typed map from contract method to service call — one line each, shared by IPC and WebSocket. */
export function createHandlers(s: Services): Handlers {
  return {
    'app.info': () => s.app.info(),
    'network.snapshot': () => s.network.snapshot(),
  };
}
