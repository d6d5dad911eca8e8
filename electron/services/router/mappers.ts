/**
 * The port mappers the router service can use, one per protocol (engine/mappings/port-mapper.ts).
 * Adding a protocol: implement PortMapper in its engine folder and add it here.
 */
import type { MappingVia } from '../../../shared/contracts/router.ts';
import type { MapperEnv, PortMapper } from '../../engine/mappings/port-mapper.ts';
import { NatPmpMapper } from '../../engine/natpmp/natpmp-mapper.ts';
import { PcpMapper } from '../../engine/pcp/pcp-mapper.ts';
import { UpnpMapper } from '../../engine/upnp/upnp-mapper.ts';

export type Mappers = { readonly [V in MappingVia]: PortMapper<V> };

export function createMappers(env: MapperEnv): Mappers {
  const natpmp = new NatPmpMapper(env);
  return {
    upnp: new UpnpMapper(env),
    natpmp,
    pcp: new PcpMapper(env, natpmp),
  };
}

export function eachMapper(m: Mappers): PortMapper[] {
  return Object.values(m);
}
