import type { MethodEvent, MethodName, MethodOutput, Contract } from '../../shared/contracts/index.ts';
import type { z } from 'zod';
import type { CallContext } from './call-context.ts';
import type { Services } from './services.ts';

export type Handler<M extends MethodName> = (
  input: z.output<Contract[M]['input']>,
  ctx: CallContext<MethodEvent<M>>,
) => Promise<MethodOutput<M>>;

export type Handlers = { [M in MethodName]: Handler<M> };

/**
 * The typed map from contract method to service call — one line each, shared by IPC and WebSocket.
 * Step results pass through `session.remember` so `report.build` can use them without a round trip.
 */
export function createHandlers(s: Services): Handlers {
  return {
    'alg.test': (i, c) => s.session.remember('alg', s.alg.test(i, c)),
    'companion.startDemo': () => s.companion.startDemo(),
    'companion.stopDemo': () => s.companion.stopDemo(),
    'app.info': () => s.app.info(),
    'app.checkDefaults': () => s.app.checkDefaults(),
    'call.echoTest': (i, c) => s.session.remember('call', s.call.echoTest(i, c)),
    'call.pushAudio': (i) => s.call.pushAudio(i),
    'monitor.run': (i, c) => s.monitor.run(i, c),
    'monitor.history': () => s.monitor.history(),
    'incoming.test': (i, c) => s.session.remember('incoming', s.incoming.test(i, c)),
    'network.snapshot': () => s.session.remember('network', s.network.snapshot()),
    'network.hops': (i) => s.network.hops(i),
    'nat.discover': (i, c) => s.session.remember('nat', s.nat.discover(i, c)),
    'nat.defaultServers': () => s.nat.defaultServers(),
    'report.build': (i) => s.report.build(i),
    'diagnose.run': (i, c) => s.report.run(i, c),
    'report.pdf': (i) => s.report.pdf(i),
    'router.probe': (i, c) => s.session.remember('router', s.router.probe(i, c)),
    'router.mappings.list': (i, c) => s.router.listMappings(i, c.signal),
    'router.mappings.add': (i, c) => s.router.addMapping(i, c),
    'router.mappings.delete': (i, c) => s.router.deleteMapping(i, c.signal),
    'router.mappings.verify': (i, c) => s.router.verifyMapping(i, c.signal),
    'router.cleanup': (i, c) => s.router.cleanupStale(i, c.signal),
    'turn.test': (i, c) => s.session.remember('turn', s.turn.test(i, c)),
    'websocket.probe': (i, c) => s.websocket.probe(i, c),
  };
}
