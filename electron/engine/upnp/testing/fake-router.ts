/**
 * A miniupnpd-like router on a FakeLan for unit tests: SSDP answers, an IGD description, the
 * WANIPConnection SOAP actions over one shared mapping table, and NAT-PMP / PCP on port 5351.
 * Knobs reproduce what the lab shows: UPnP off, NAT-PMP only (PCP answered with version 0),
 * secure mode (718), permanent-only leases (725), refuse-all (501 / NAT-PMP 3 / PCP 8).
 */
import type { Endpoint } from '../../../../shared/model/endpoint.ts';
import type { Clock } from '../../clock/clock.ts';
import type { RouterLan } from './fake-lan.ts';
import { httpReply } from './fake-lan.ts';

export interface FakeRouterOptions {
  gateway?: string;
  externalIp?: string;
  upnp?: boolean;
  igdVersion?: 1 | 2;
  natpmp?: boolean;
  /** PCP off: PCP requests get a NAT-PMP "unsupported version" answer. */
  pcp?: boolean;
  secureMode?: boolean;
  permanentOnly?: boolean;
  refuseAll?: boolean;
  /** Accepts a lease but makes the mapping permanent (seen on some routers). */
  ignoreLease?: boolean;
  epochStart?: number;
  /** The device description's friendlyName (default "Fake router"). */
  friendlyName?: string;
  /**
   * A slow, endless mapping table (seen on a real router: one entry a second, never ending): every
   * GetGenericPortMappingEntry index has an entry, GetListOfPortMappings answers a full page, and
   * each of these answers comes `delayMs` late on `clock`.
   */
  slowEndlessTable?: { delayMs: number; clock: Clock };
}

export interface FakeMapping {
  protocol: 'udp' | 'tcp';
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
  leaseSeconds: number;
  nonce?: string;
}

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export class FakeRouter {
  readonly gateway: string;
  readonly opts: FakeRouterOptions;
  readonly mappings: FakeMapping[] = [];
  epoch: number;
  /** SOAP actions received, in order. */
  readonly actions: string[] = [];

  constructor(lan: RouterLan, opts: FakeRouterOptions = {}) {
    this.opts = opts;
    this.gateway = opts.gateway ?? '192.168.1.1';
    this.epoch = opts.epochStart ?? 1000;
    const net = lan.host(this.gateway);
    const serviceType = `urn:schemas-upnp-org:service:WANIPConnection:${opts.igdVersion ?? 2}`;
    if (opts.upnp !== false) {
      void net.bindUdp({ port: 1900 }).then((s) =>
        s.onMessage((d, from) => {
          const text = new TextDecoder().decode(d);
          if (!text.startsWith('M-SEARCH')) return;
          const st = /\r\nST: (.*)\r\n/.exec(text)?.[1] ?? '';
          if (!/InternetGatewayDevice|WANIPConnection|rootdevice/.test(st)) return;
          void s.send(
            new TextEncoder().encode(
              `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ${st}\r\nUSN: uuid:fake::${st}\r\nEXT:\r\nSERVER: Fake/1.0 UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: http://${this.gateway}:5000/rootDesc.xml\r\n\r\n`,
            ),
            from,
          );
        }),
      );
      lan.listenTcp({ address: this.gateway, port: 5000 }, (req) => {
        if (req.startsWith('GET /rootDesc.xml')) return httpReply(200, this.description(serviceType));
        const action = /SOAPAction: "[^#]+#(\w+)"/i.exec(req)?.[1] ?? '';
        this.actions.push(action);
        const arg = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(req)?.[1] ?? '';
        const requester = '192.168.1.10';
        const slow = this.opts.slowEndlessTable;
        if (slow && (action === 'GetGenericPortMappingEntry' || action === 'GetListOfPortMappings')) {
          const reply = this.endlessTable(serviceType, action, arg);
          return new Promise((resolve) => slow.clock.setTimeout(() => resolve(reply), slow.delayMs));
        }
        return this.soap(serviceType, action, arg, requester);
      });
    }
    if (opts.natpmp !== false) {
      void net
        .bindUdp({ port: 5351 })
        .then((s) => s.onMessage((d, from) => void this.pmp(d, from).then((r) => r && s.send(r, from))));
    }
  }

  private description(serviceType: string): string {
    return `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:${this.opts.igdVersion ?? 2}</deviceType><friendlyName>${this.opts.friendlyName ?? 'Fake router'}</friendlyName><manufacturer>FakeCo</manufacturer><modelName>Fake IGD</modelName><modelNumber>7</modelNumber><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType><serviceList><service><serviceType>${serviceType}</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL></service></serviceList></device></deviceList></device></deviceList></device></root>`;
  }

  private ok(serviceType: string, action: string, values: Record<string, string | number>) {
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const body = Object.entries(values)
      .map(([k, v]) => `<${k}>${k === 'NewPortListing' ? v : esc(String(v))}</${k}>`)
      .join('');
    return httpReply(
      200,
      `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP_NS}"><s:Body><u:${action}Response xmlns:u="${serviceType}">${body}</u:${action}Response></s:Body></s:Envelope>`,
    );
  }

  private fault(code: number, desc: string) {
    return httpReply(
      500,
      `<s:Envelope xmlns:s="${SOAP_NS}"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${desc}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`,
    );
  }

  private entryValues(m: FakeMapping) {
    return {
      NewRemoteHost: '',
      NewExternalPort: m.externalPort,
      NewProtocol: m.protocol.toUpperCase(),
      NewInternalPort: m.internalPort,
      NewInternalClient: m.internalClient,
      NewEnabled: 1,
      NewPortMappingDescription: m.description,
      NewLeaseDuration: m.leaseSeconds,
    };
  }

  /** Like miniupnpd: a CDATA listing with descriptions written raw (a bare "&" stays). */
  private listing(st: string, action: string, rows: FakeMapping[]) {
    const xml = rows
      .map(
        (m) =>
          `<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost><p:NewExternalPort>${m.externalPort}</p:NewExternalPort><p:NewProtocol>${m.protocol.toUpperCase()}</p:NewProtocol><p:NewInternalPort>${m.internalPort}</p:NewInternalPort><p:NewInternalClient>${m.internalClient}</p:NewInternalClient><p:NewEnabled>1</p:NewEnabled><p:NewDescription>${m.description}</p:NewDescription><p:NewLeaseTime>${m.leaseSeconds}</p:NewLeaseTime></p:PortMappingEntry>`,
      )
      .join('');
    return this.ok(st, action, {
      NewPortListing: `<![CDATA[<p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection">${xml}</p:PortMappingList>]]>`,
    });
  }

  /** Row `i` of the endless table. */
  private endlessRow(i: number): FakeMapping {
    return {
      protocol: 'udp',
      externalPort: 10000 + (i % 50000),
      internalClient: '192.168.1.20',
      internalPort: 10000 + (i % 50000),
      description: `endless ${i}`,
      leaseSeconds: 3600,
    };
  }

  private endlessTable(st: string, action: string, arg: (n: string) => string) {
    if (action === 'GetGenericPortMappingEntry')
      return this.ok(st, action, this.entryValues(this.endlessRow(Number(arg('NewPortMappingIndex')))));
    if ((this.opts.igdVersion ?? 2) < 2) return this.fault(401, 'Invalid Action');
    const rows = Array.from({ length: Number(arg('NewNumberOfPorts')) || 1024 }, (_, i) =>
      this.endlessRow(i),
    );
    return this.listing(st, action, rows);
  }

  private soap(st: string, action: string, arg: (n: string) => string, requester: string) {
    const find = () =>
      this.mappings.findIndex(
        (m) =>
          m.externalPort === Number(arg('NewExternalPort')) &&
          m.protocol === arg('NewProtocol').toLowerCase(),
      );
    switch (action) {
      case 'GetExternalIPAddress':
        return this.ok(st, action, { NewExternalIPAddress: this.opts.externalIp ?? '203.0.113.2' });
      case 'GetStatusInfo':
        return this.ok(st, action, {
          NewConnectionStatus: 'Connected',
          NewLastConnectionError: 'ERROR_NONE',
          NewUptime: 843,
        });
      case 'GetConnectionTypeInfo':
        return this.ok(st, action, {
          NewConnectionType: 'IP_Routed',
          NewPossibleConnectionTypes: 'IP_Routed',
        });
      case 'GetGenericPortMappingEntry': {
        const m = this.mappings[Number(arg('NewPortMappingIndex'))];
        return m ? this.ok(st, action, this.entryValues(m)) : this.fault(713, 'SpecifiedArrayIndexInvalid');
      }
      case 'GetSpecificPortMappingEntry': {
        const i = find();
        return i >= 0
          ? this.ok(st, action, this.entryValues(this.mappings[i]!))
          : this.fault(714, 'NoSuchEntryInArray');
      }
      case 'AddPortMapping':
      case 'AddAnyPortMapping': {
        if (this.opts.refuseAll) return this.fault(501, 'Action Failed');
        const client = arg('NewInternalClient');
        if (this.opts.secureMode && client !== requester) return this.fault(718, 'ConflictInMappingEntry');
        const lease = Number(arg('NewLeaseDuration'));
        if (this.opts.permanentOnly && lease !== 0) return this.fault(725, 'OnlyPermanentLeasesSupported');
        let ext = Number(arg('NewExternalPort'));
        const proto = arg('NewProtocol').toLowerCase() as 'udp' | 'tcp';
        const i = find();
        if (i >= 0 && this.mappings[i]!.internalClient !== client) {
          if (action === 'AddPortMapping') return this.fault(718, 'ConflictInMappingEntry');
          while (this.mappings.some((m) => m.externalPort === ext && m.protocol === proto)) ext++;
        }
        const m: FakeMapping = {
          protocol: proto,
          externalPort: ext,
          internalClient: client,
          internalPort: Number(arg('NewInternalPort')),
          description: arg('NewPortMappingDescription'),
          leaseSeconds: this.opts.ignoreLease ? 0 : lease,
        };
        const j = this.mappings.findIndex((x) => x.externalPort === ext && x.protocol === proto);
        if (j >= 0) this.mappings[j] = m;
        else this.mappings.push(m);
        return this.ok(st, action, action === 'AddAnyPortMapping' ? { NewReservedPort: ext } : {});
      }
      case 'GetListOfPortMappings': {
        if ((this.opts.igdVersion ?? 2) < 2) return this.fault(401, 'Invalid Action');
        const proto = arg('NewProtocol').toLowerCase();
        return this.listing(
          st,
          action,
          this.mappings.filter((m) => m.protocol === proto),
        );
      }
      case 'DeletePortMapping': {
        const i = find();
        if (i < 0) return this.fault(714, 'NoSuchEntryInArray');
        this.mappings.splice(i, 1);
        return this.ok(st, action, {});
      }
      default:
        return this.fault(401, 'Invalid Action');
    }
  }

  private async pmp(d: Uint8Array, from: Endpoint): Promise<Uint8Array | null> {
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const version = d[0];
    if (version === 2) {
      if (this.opts.pcp === false) return Uint8Array.of(0, 128 + (d[1]! & 0x7f), 0, 1, 0, 0, 0, 0);
      return this.pcp(d, v, from);
    }
    if (version !== 0) return null;
    const op = d[1]!;
    const out = new Uint8Array(op === 0 ? 12 : 16);
    const o = new DataView(out.buffer);
    o.setUint8(1, 128 + op);
    o.setUint32(4, this.epoch);
    if (op === 0) {
      if (this.opts.refuseAll) {
        o.setUint16(2, 3);
        return out;
      }
      out.set((this.opts.externalIp ?? '203.0.113.2').split('.').map(Number), 8);
      return out;
    }
    const protocol = op === 1 ? 'udp' : 'tcp';
    const internalPort = v.getUint16(4);
    const suggested = v.getUint16(6);
    const lifetime = v.getUint32(8);
    if (this.opts.refuseAll) {
      o.setUint16(2, 3);
      return out;
    }
    const i = this.mappings.findIndex(
      (m) => m.internalClient === from.address && m.internalPort === internalPort && m.protocol === protocol,
    );
    if (lifetime === 0) {
      if (i >= 0) this.mappings.splice(i, 1);
      o.setUint16(8, internalPort);
      return out;
    }
    let ext = i >= 0 ? this.mappings[i]!.externalPort : suggested;
    if (i < 0) while (this.mappings.some((m) => m.externalPort === ext && m.protocol === protocol)) ext++;
    if (i < 0)
      this.mappings.push({
        protocol,
        externalPort: ext,
        internalClient: from.address,
        internalPort,
        description: `NAT-PMP ${ext} ${protocol}`,
        leaseSeconds: lifetime,
      });
    o.setUint16(8, internalPort);
    o.setUint16(10, ext);
    o.setUint32(12, lifetime);
    return out;
  }

  private pcp(d: Uint8Array, v: DataView, from: Endpoint): Uint8Array {
    const op = d[1]! & 0x7f;
    const lifetime = v.getUint32(4);
    const out = new Uint8Array(op === 1 ? 60 : 24);
    const o = new DataView(out.buffer);
    o.setUint8(0, 2);
    o.setUint8(1, 0x80 | op);
    o.setUint32(8, this.epoch);
    if (op === 0) return out;
    out.set(d.subarray(24, 60), 24);
    const clientIp = `${d[20]}.${d[21]}.${d[22]}.${d[23]}`;
    if (clientIp !== from.address) {
      o.setUint8(3, 12);
      return out;
    }
    if (this.opts.refuseAll) {
      o.setUint8(3, 8);
      return out;
    }
    const nonce = Buffer.from(d.subarray(24, 36)).toString('hex');
    const protocol = d[36] === 17 ? 'udp' : 'tcp';
    const internalPort = v.getUint16(40);
    const i = this.mappings.findIndex(
      (m) => m.internalClient === from.address && m.internalPort === internalPort && m.protocol === protocol,
    );
    if (i >= 0 && this.mappings[i]!.nonce !== nonce) {
      o.setUint8(3, 2);
      return out;
    }
    if (lifetime === 0) {
      if (i >= 0) this.mappings.splice(i, 1);
      return out;
    }
    let ext = i >= 0 ? this.mappings[i]!.externalPort : v.getUint16(42);
    if (i < 0) while (this.mappings.some((m) => m.externalPort === ext && m.protocol === protocol)) ext++;
    if (i < 0)
      this.mappings.push({
        protocol,
        externalPort: ext,
        internalClient: from.address,
        internalPort,
        description: `PCP ${ext} ${protocol}`,
        leaseSeconds: lifetime,
        nonce,
      });
    o.setUint32(4, lifetime);
    o.setUint16(42, ext);
    out.set(
      [
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0xff,
        0xff,
        ...(this.opts.externalIp ?? '203.0.113.2').split('.').map(Number),
      ],
      44,
    );
    return out;
  }
}
