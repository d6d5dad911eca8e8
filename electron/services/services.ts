import { nodeSystemSource } from '../engine/netinfo/system-source.ts';
import { createAppService, type HostKind } from './app-service.ts';
import { createNetworkService } from './network-service.ts';

/**
 * The only API the front doors (Electron IPC, web host, CLI) call. Each service orchestrates engine
 * components, which get their network, clock and system access injected here.
 */
export function createServices(host: HostKind) {
  return {
    app: createAppService(host),
    network: createNetworkService(nodeSystemSource),
  };
}

export type Services = ReturnType<typeof createServices>;
