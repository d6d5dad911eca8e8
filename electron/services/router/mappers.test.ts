import { describe, expect, it } from 'vitest';
import { MappingViaSchema } from '../../../shared/contracts/router.ts';
import { systemClock } from '../../engine/clock/clock.ts';
import { FakeNetwork } from '../../engine/sip/test-fakes.ts';
import { createMappers, eachMapper } from './mappers.ts';

describe('port mapper registry', () => {
  const mappers = createMappers({ network: new FakeNetwork(), clock: systemClock, wallNow: Date.now });

  it('has one mapper for every protocol the contract names, under its own name', () => {
    expect(Object.keys(mappers).sort()).toEqual([...MappingViaSchema.options].sort());
    for (const [via, m] of Object.entries(mappers)) expect(m.via).toBe(via);
  });

  it('a mapper lists a table exactly when it says it can', () => {
    for (const m of eachMapper(mappers)) expect(typeof m.list === 'function').toBe(m.capabilities.listsTable);
  });

  it('a protocol not asked reports "not supported", with the gateway it would have asked', () => {
    const site = { gateway: '192.168.1.1', localAddress: '192.168.1.10', lanAddresses: [] };
    for (const m of eachMapper(mappers)) {
      const r = m.notAsked(site) as { supported?: boolean; found?: boolean; gateway?: string | null };
      expect(r.supported ?? r.found).toBe(false);
      if (m.capabilities.needsGateway) expect(r.gateway).toBe('192.168.1.1');
    }
  });
});
