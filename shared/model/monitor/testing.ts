import type { MonitorSample } from '../../contracts/monitor.ts';

/**
 * A healthy interval sample for tests (masquerade-like NAT, router with NAT-PMP and UPnP, a working
 * registration); tests override what they change. Used by unit tests only.
 */
export function sampleAt(seq: number, o: Partial<MonitorSample> = {}, stepSec = 60): MonitorSample {
  const at = new Date(Date.UTC(2025, 0, 1, 18, 0, 0) + seq * stepSec * 1000).toISOString();
  return {
    type: 'interval',
    seq,
    at,
    durationMs: 400,
    publicIp: '203.0.113.2',
    stun: {
      server: '203.0.113.10:3478',
      sipPort: { local: '192.168.1.10:5060', mapped: '203.0.113.2:5060', rttMs: 2 },
      randomPort: { local: '192.168.1.10:40000', mapped: '203.0.113.2:40000', rttMs: 2 },
      mapping: 'endpoint-independent',
      portPreserved: true,
      sipBindingOpen: seq === 0 ? null : true,
      pings: { sent: 20, received: 20 },
      lossPercent: 0,
      rttMs: 2,
      jitterMs: 0.2,
      error: null,
    },
    router: {
      externalIp: '203.0.113.2',
      upnp: true,
      natpmp: true,
      uptimeSeconds: 1000 + seq * stepSec,
      epochSeconds: 1000 + seq * stepSec,
      ownMappings: [
        { id: 'm1', via: 'upnp', protocol: 'udp', externalPort: 40000, internalPort: 40000, present: true },
      ],
      error: null,
    },
    registration: {
      registrar: '203.0.113.10:5070',
      ok: true,
      status: 200,
      reason: '200 OK',
      expires: 300,
    },
    echo: null,
    ...o,
  };
}

type Stun = NonNullable<MonitorSample['stun']>;
type Router = NonNullable<MonitorSample['router']>;

export const withStun = (s: MonitorSample, o: Partial<Stun>): MonitorSample => ({
  ...s,
  stun: { ...s.stun!, ...o },
});
export const withRouter = (s: MonitorSample, o: Partial<Router>): MonitorSample => ({
  ...s,
  router: { ...s.router!, ...o },
});
