import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.ts';
import { discoverIgd } from './discover-igd.ts';
import { httpRequest } from './http.ts';
import { addPortMapping, getExternalIpAddress, UpnpActionError, UpnpProtocolError } from './igd-client.ts';
import { listAllPortMappings, listPortMappings } from './port-listing.ts';
import { FakeLan, httpReply } from './testing/fake-lan.ts';
import { FakeRouter } from './testing/fake-router.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));
const CLIENT = '192.168.1.10';

async function setup(opts: ConstructorParameters<typeof FakeRouter>[1] = {}) {
  const lan = new FakeLan();
  const router = new FakeRouter(lan, opts);
  await tick();
  const net = lan.host(CLIENT);
  return { lan, router, net };
}

describe('IGD discovery', () => {
  it('finds the IGD, its WAN service and status', async () => {
    const { lan, net } = await setup();
    const t0 = Date.now();
    const d = await discoverIgd({
      network: net,
      clock: systemClock,
      localAddresses: [CLIENT],
      gateway: '192.168.1.1',
      ssdpTimeoutMs: 1500,
    });
    expect(Date.now() - t0).toBeLessThan(1200); // stops shortly after the first IGD answer
    expect(d.igd?.description).toMatchObject({ friendlyName: 'Fake router', igdVersion: 2 });
    expect(d.igd?.chosen.service.controlUrl.href).toBe('http://192.168.1.1:5000/ctl/IPConn');
    expect(d.igd?.chosen.status?.connectionStatus).toBe('Connected');
    expect(d.igd?.server).toMatch(/MiniUPnPd/);
    expect(d.ssdp.length).toBeGreaterThan(0);
    // M-SEARCH for every target left from the client's interface address
    const sts = lan.sent
      .filter((s) => s.to.port === 1900)
      .map((s) => /\r\nST: (.*)\r\n/.exec(new TextDecoder().decode(s.data))?.[1]);
    expect(new Set(sts)).toEqual(
      new Set([
        'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
        'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
        'urn:schemas-upnp-org:service:WANIPConnection:1',
        'urn:schemas-upnp-org:service:WANIPConnection:2',
        'urn:schemas-upnp-org:service:WANPPPConnection:1',
        'upnp:rootdevice',
      ]),
    );
  });

  it('survives hostile LAN devices: foreign LOCATION, garbage, a hanging HTTP server, a DOCTYPE bomb', async () => {
    const { lan, net } = await setup();
    const evil = lan.host('192.168.1.66');
    const s = await evil.bindUdp({ port: 1900 });
    s.onMessage((_d, from) => {
      const send = (t: string) => void s.send(new TextEncoder().encode(t), from);
      send(
        'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://10.9.9.9/steal.xml\r\n\r\n',
      );
      send('\u0000\u0001garbage');
      send(
        'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\nLOCATION: http://192.168.1.66:80/hang.xml\r\n\r\n',
      );
      send(
        'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\nLOCATION: http://192.168.1.66:81/bomb.xml\r\n\r\n',
      );
    });
    lan.listenTcp({ address: '192.168.1.66', port: 80 }, () => 'hang');
    lan.listenTcp({ address: '192.168.1.66', port: 81 }, () =>
      httpReply(200, '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root>&a;</root>'),
    );
    const d = await discoverIgd({
      network: net,
      clock: systemClock,
      localAddresses: [CLIENT],
      gateway: '192.168.1.1',
      ssdpTimeoutMs: 1000,
      httpTimeoutMs: 300,
    });
    expect(d.igd?.location.href).toBe('http://192.168.1.1:5000/rootDesc.xml');
    expect(lan.requests.some((r) => r.to.address === '10.9.9.9')).toBe(false);
    const errors = d.errors.join('\n');
    expect(errors).toMatch(/points to 10\.9\.9\.9, not to the answering device 192\.168\.1\.66/);
    expect(errors).toMatch(/malformed SSDP answer/);
  });

  it('reports hanging and hostile description servers when they are the only devices', async () => {
    const lan = new FakeLan();
    const evil = lan.host('192.168.1.66');
    const s = await evil.bindUdp({ port: 1900 });
    s.onMessage((_d, from) => {
      void s.send(
        new TextEncoder().encode(
          'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\nLOCATION: http://192.168.1.66:80/hang.xml\r\n\r\n',
        ),
        from,
      );
      void s.send(
        new TextEncoder().encode(
          'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://192.168.1.66:81/bomb.xml\r\n\r\n',
        ),
        from,
      );
    });
    lan.listenTcp({ address: '192.168.1.66', port: 80 }, () => 'hang');
    lan.listenTcp({ address: '192.168.1.66', port: 81 }, () =>
      httpReply(200, '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root>&a;</root>'),
    );
    const t0 = Date.now();
    const d = await discoverIgd({
      network: lan.host(CLIENT),
      clock: systemClock,
      localAddresses: [CLIENT],
      ssdpTimeoutMs: 800,
      httpTimeoutMs: 300,
    });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(d.igd).toBeNull();
    expect(d.errors.join('\n')).toMatch(/no complete answer within 300 ms/);
    expect(d.errors.join('\n')).toMatch(/DOCTYPE/);
  });

  it('answers "nothing found" within the SSDP timeout when UPnP is off', async () => {
    const { net } = await setup({ upnp: false });
    const t0 = Date.now();
    const d = await discoverIgd({
      network: net,
      clock: systemClock,
      localAddresses: [CLIENT],
      ssdpTimeoutMs: 500,
    });
    expect(d.igd).toBeNull();
    expect(Date.now() - t0).toBeLessThan(900);
  });
});

describe('IGD actions', () => {
  const svc = {
    serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
    controlUrl: new URL('http://192.168.1.1:5000/ctl/IPConn'),
  };
  it('lists a table of 100 entries until the end-of-table error', async () => {
    const { router, net } = await setup();
    for (let i = 0; i < 100; i++)
      router.mappings.push({
        protocol: 'udp',
        externalPort: 20000 + i,
        internalClient: CLIENT,
        internalPort: 20000 + i,
        description: `m${i}`,
        leaseSeconds: 600,
      });
    const l = await listPortMappings({ network: net, clock: systemClock }, svc);
    expect(l.error).toBeNull();
    expect(l.entries).toHaveLength(100);
    expect(l.entries[99]).toMatchObject({ externalPort: 20099, description: 'm99' });
  });
  it('reads the whole table with GetListOfPortMappings on IGD:2 (2 requests), entry by entry on IGD:1', async () => {
    const { router, net, lan } = await setup();
    for (let i = 0; i < 100; i++)
      router.mappings.push({
        protocol: i % 2 ? 'tcp' : 'udp',
        externalPort: 20000 + i,
        internalClient: CLIENT,
        internalPort: 20000 + i,
        description: i === 7 ? 'a&b' : `m${i}`,
        leaseSeconds: 600,
      });
    const before = lan.requests.length;
    const l = await listAllPortMappings({ network: net, clock: systemClock }, svc);
    expect(l.method).toBe('GetListOfPortMappings');
    expect(lan.requests.length - before).toBe(2);
    expect(l.entries).toHaveLength(100);
    expect(l.entries.find((e) => e.externalPort === 20007)).toMatchObject({
      protocol: 'tcp',
      description: 'a&b',
      leaseSeconds: 600,
    });
    // a raw "<" in a description breaks the router's own listing: NatScope falls back, still complete
    router.mappings[7]!.description = 'a<b';
    const broken = await listAllPortMappings({ network: net, clock: systemClock }, svc);
    expect(broken).toMatchObject({ method: 'GetGenericPortMappingEntry', error: null });
    expect(broken.fallbackReason).toMatch(/GetListOfPortMappings/);
    expect(broken.entries).toHaveLength(100);
    const v1 = await setup({ igdVersion: 1 });
    v1.router.mappings.push(...router.mappings.slice(0, 10));
    const l1 = await listAllPortMappings(
      { network: v1.net, clock: systemClock },
      { ...svc, serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1' },
    );
    expect(l1).toMatchObject({ method: 'GetGenericPortMappingEntry', error: null });
    expect(l1.entries).toHaveLength(10);
    // a :2 service that refuses the action falls back too
    const l2 = await listAllPortMappings({ network: v1.net, clock: systemClock }, svc);
    expect(l2.method).toBe('GetGenericPortMappingEntry');
    expect(l2.fallbackReason).toMatch(/401 InvalidAction/);
  });
  it('an empty list of one protocol is an empty list, not a reason to fall back', async () => {
    const { router, net } = await setup();
    router.mappings.push({
      protocol: 'udp',
      externalPort: 1234,
      internalClient: CLIENT,
      internalPort: 1234,
      description: 'only udp',
      leaseSeconds: 60,
    });
    const l = await listAllPortMappings({ network: net, clock: systemClock }, svc);
    expect(l).toMatchObject({ method: 'GetListOfPortMappings', fallbackReason: null });
    expect(l.entries).toHaveLength(1);
  });
  it('names UPnP errors by number (718 in secure mode)', async () => {
    const { net } = await setup({ secureMode: true });
    const err = await addPortMapping({ network: net, clock: systemClock }, svc, {
      protocol: 'udp',
      externalPort: 1,
      internalPort: 1,
      internalClient: '192.168.1.99',
      description: 'x',
      leaseSeconds: 60,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpnpActionError);
    expect((err as UpnpActionError).message).toBe('UPnP error 718 ConflictInMappingEntry on AddPortMapping');
  });
  it('a malformed SOAP answer is a protocol error, not a crash', async () => {
    const lan = new FakeLan();
    lan.listenTcp({ address: '192.168.1.1', port: 5000 }, () => httpReply(200, '<s:Envelope><s:Body><x>'));
    const err = await getExternalIpAddress({ network: lan.host(CLIENT), clock: systemClock }, svc).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpnpProtocolError);
    expect((err as Error).message).toMatch(/unusable SOAP answer/);
    lan.listenTcp({ address: '192.168.1.1', port: 5000 }, () =>
      httpReply(
        200,
        '<s:Envelope xmlns:s="x"><s:Body><u:GetExternalIPAddressResponse><NewExternalIPAddress>1.2.3.999; rm -rf</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>',
      ),
    );
    await expect(
      getExternalIpAddress({ network: lan.host(CLIENT), clock: systemClock }, svc),
    ).rejects.toThrow(/not an IPv4 address/);
  });
  it('bounds slow and endless HTTP answers', async () => {
    const lan = new FakeLan();
    lan.listenTcp({ address: '192.168.1.1', port: 5000 }, () => ({
      chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'],
      close: false,
    }));
    const t0 = Date.now();
    await expect(
      httpRequest(lan.host(CLIENT), systemClock, {
        method: 'GET',
        url: new URL('http://192.168.1.1:5000/'),
        timeoutMs: 200,
        maxBodyBytes: 100,
      }),
    ).rejects.toThrow(/within 200 ms/);
    expect(Date.now() - t0).toBeLessThan(600);
    lan.listenTcp({ address: '192.168.1.1', port: 5000 }, () => ({
      chunks: ['HTTP/1.1 200 OK\r\n\r\n', 'x'.repeat(500_000)],
      close: false,
    }));
    await expect(
      httpRequest(lan.host(CLIENT), systemClock, {
        method: 'GET',
        url: new URL('http://192.168.1.1:5000/'),
        timeoutMs: 500,
        maxBodyBytes: 1000,
      }),
    ).rejects.toThrow(/larger|limit/);
  });
});
