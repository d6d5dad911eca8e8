import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDeviceDescription, isWanConnectionService } from './device-description.ts';
import { parseHttpResponse } from './http.ts';
import { buildSoapEnvelope, parseSoapResponse } from './soap.ts';
import { buildMSearch, checkLocation, parseSsdpResponse } from './ssdp.ts';
import { decodeEntities, parseXml, text } from './xml.ts';
import { entryFromValues } from './igd-client.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/upnp/${name}`, import.meta.url), 'utf8');
const enc = (s: string) => new TextEncoder().encode(s);

describe('xml', () => {
  it('refuses a DOCTYPE (no entity expansion: billion laughs, XXE)', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><root>&lol2;</root>';
    expect(() => parseXml(lol)).toThrow(/DOCTYPE/);
    expect(() => parseXml('<!doctype x SYSTEM "file:///etc/passwd"><x/>')).toThrow(/DOCTYPE/);
  });
  it('decodes only the predefined entities and numeric references', () => {
    expect(decodeEntities('A &amp; B &lt;x&gt; &#65;&#x42; &foo; &#0;')).toBe('A & B <x> AB &foo; &#0;');
    const doc = parseXml('<r><a>x &amp;amp; y</a><b><c/></b></r>');
    expect(text(doc.r, 'a')).toBe('x &amp; y');
    expect(text(doc.r, 'b')).toBeNull(); // an element is not text
  });
  it('rejects malformed and oversized XML', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/malformed/);
    expect(() => parseXml(`<a>${'x'.repeat(300 * 1024)}</a>`)).toThrow(/too large/);
    expect(() => parseXml('<a>'.repeat(200) + '</a>'.repeat(200))).toThrow();
  });
  it('does not pollute prototypes', () => {
    // fast-xml-parser refuses such names: reported as malformed, and nothing is polluted.
    expect(() => parseXml('<r><__proto__><polluted>1</polluted></__proto__></r>')).toThrow(/malformed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('ssdp', () => {
  it('builds an M-SEARCH', () => {
    expect(buildMSearch('upnp:rootdevice')).toBe(
      'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n',
    );
  });
  it('parses a real miniupnpd answer', () => {
    const r = parseSsdpResponse(enc(fixture('miniupnpd-ssdp.txt')));
    expect(r.status).toBe(200);
    expect(r.headers.get('location')).toBe('http://192.168.1.1:5000/rootDesc.xml');
    expect(r.headers.get('server')).toBe('Debian/6.18.44-fc-v669 UPnP/1.1 MiniUPnPd/2.3.1');
    expect(r.headers.get('st')).toBe('urn:schemas-upnp-org:device:InternetGatewayDevice:1');
  });
  it('rejects garbage', () => {
    expect(() => parseSsdpResponse(enc('NOTIFY * HTTP/1.1\r\n\r\n'))).toThrow(/status line/);
    expect(() => parseSsdpResponse(enc('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'))).toThrow(/header/);
    expect(() => parseSsdpResponse(new Uint8Array(9000))).toThrow(/too large/);
  });
  it('follows a LOCATION only on the answering device', () => {
    expect(checkLocation('http://192.168.1.1:5000/rootDesc.xml', '192.168.1.1')).toBeInstanceOf(URL);
    expect(checkLocation('http://192.168.1.99:5000/x.xml', '192.168.1.1')).toMatch(
      /not to the answering device/,
    );
    expect(checkLocation('http://example.com/x.xml', '192.168.1.1')).toMatch(/not to the answering device/);
    expect(checkLocation('https://192.168.1.1/x.xml', '192.168.1.1')).toMatch(/scheme/);
    expect(checkLocation('file:///etc/passwd', '192.168.1.1')).toMatch(/scheme/);
    expect(checkLocation('http://u:p@192.168.1.1/', '192.168.1.1')).toMatch(/credentials/);
    expect(checkLocation(undefined, '192.168.1.1')).toMatch(/no LOCATION/);
  });
});

describe('device description', () => {
  it('reads a real miniupnpd description (IGD:2, WANIPConnection:2)', () => {
    const d = parseDeviceDescription(
      fixture('miniupnpd-rootDesc.xml'),
      new URL('http://192.168.1.1:5000/rootDesc.xml'),
    );
    expect(d).toMatchObject({
      friendlyName: 'NatScope lab router',
      manufacturer: 'Debian',
      modelName: 'Debian router',
      modelNumber: '1',
      igdVersion: 2,
    });
    const wan = d.services.filter((s) => isWanConnectionService(s.serviceType));
    expect(wan.map((s) => [s.serviceType, s.controlUrl.href])).toEqual([
      ['urn:schemas-upnp-org:service:WANIPConnection:2', 'http://192.168.1.1:5000/ctl/IPConn'],
    ]);
  });
  it('finds vendor (dslforum) WAN services, honours URLBase and drops control URLs on other hosts', () => {
    const d = parseDeviceDescription(
      fixture('dslforum-igddesc.xml'),
      new URL('http://192.168.178.1:49000/igddesc.xml'),
    );
    expect(d.friendlyName).toBe('Example Box 7590 & Co');
    expect(d.igdVersion).toBe(1);
    const wan = d.services.filter((s) => isWanConnectionService(s.serviceType)).map((s) => s.controlUrl.href);
    expect(wan).toEqual([
      'http://192.168.178.1:49000/upnp/control/wanipconnection1',
      'http://192.168.178.1:49000/upnp/control/wanpppconn1',
    ]);
    expect(d.warnings.join()).toMatch(/192\.168\.178\.66.*not on the device/);
  });
  it('rejects descriptions without root/device', () => {
    expect(() => parseDeviceDescription('<html><body>hi</body></html>', new URL('http://1.2.3.4/'))).toThrow(
      /root/,
    );
    expect(() => parseDeviceDescription('<root></root>', new URL('http://1.2.3.4/'))).toThrow(/device/);
  });
});

describe('soap', () => {
  it('builds an escaped envelope', () => {
    const e = buildSoapEnvelope('urn:schemas-upnp-org:service:WANIPConnection:1', 'AddPortMapping', [
      ['NewPortMappingDescription', 'a<b&c'],
    ]);
    expect(e).toContain(
      '<u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"><NewPortMappingDescription>a&lt;b&amp;c</NewPortMappingDescription></u:AddPortMapping>',
    );
  });
  it('parses real miniupnpd answers and faults', () => {
    expect(parseSoapResponse(fixture('miniupnpd-GetExternalIPAddress.xml'), 'GetExternalIPAddress')).toEqual({
      ok: true,
      values: { NewExternalIPAddress: '203.0.113.2' },
    });
    const g = parseSoapResponse(
      fixture('miniupnpd-GetGenericPortMappingEntry.xml'),
      'GetGenericPortMappingEntry',
    );
    expect(g.ok).toBe(true);
    if (g.ok) {
      expect(entryFromValues(g.values, 'x')).toEqual({
        remoteHost: '',
        externalPort: 5555,
        protocol: 'udp',
        internalPort: 5555,
        internalClient: '192.168.1.10',
        enabled: true,
        description: 'test',
        leaseSeconds: 300,
      });
    }
    expect(parseSoapResponse(fixture('miniupnpd-fault-713.xml'), 'GetGenericPortMappingEntry')).toMatchObject(
      { ok: false, code: 713, description: 'SpecifiedArrayIndexInvalid' },
    );
  });
  it('accepts an empty action response and rejects a wrong one', () => {
    expect(
      parseSoapResponse(
        '<s:Envelope xmlns:s="x"><s:Body><u:AddPortMappingResponse xmlns:u="y"/></s:Body></s:Envelope>',
        'AddPortMapping',
      ),
    ).toEqual({ ok: true, values: {} });
    expect(() =>
      parseSoapResponse('<s:Envelope xmlns:s="x"><s:Body><u:Other/></s:Body></s:Envelope>', 'AddPortMapping'),
    ).toThrow(/AddPortMappingResponse/);
  });
  it('rejects malformed entries', () => {
    expect(() =>
      entryFromValues({ NewExternalPort: '99999', NewProtocol: 'UDP', NewInternalPort: '1' }, 'x'),
    ).toThrow(/not a port/);
    expect(() =>
      entryFromValues({ NewExternalPort: '1', NewProtocol: 'ICMP', NewInternalPort: '1' }, 'x'),
    ).toThrow(/neither TCP nor UDP/);
  });
});

describe('http response parsing', () => {
  const max = 1024;
  it('waits for Content-Length bytes', () => {
    expect(parseHttpResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc'), false, max)).toBeNull();
    expect(
      parseHttpResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde'), false, max)?.body,
    ).toBe('abcde');
  });
  it('decodes chunked bodies', () => {
    const r = parseHttpResponse(
      enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n'),
      false,
      max,
    );
    expect(r?.body).toBe('abcde');
    expect(
      parseHttpResponse(enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab'), false, max),
    ).toBeNull();
  });
  it('reads to close without framing', () => {
    expect(parseHttpResponse(enc('HTTP/1.0 200 OK\r\n\r\nhello'), false, max)).toBeNull();
    expect(parseHttpResponse(enc('HTTP/1.0 200 OK\r\n\r\nhello'), true, max)?.body).toBe('hello');
  });
  it('enforces limits and rejects garbage', () => {
    expect(() =>
      parseHttpResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n'), false, max),
    ).toThrow(/limit/);
    expect(() => parseHttpResponse(enc('SSH-2.0-OpenSSH\r\n\r\n'), false, max)).toThrow(/status line/);
    expect(() => parseHttpResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), false, max)).toThrow(
      /Content-Length/,
    );
    expect(() =>
      parseHttpResponse(enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), false, max),
    ).toThrow(/chunk/);
    expect(() => parseHttpResponse(new Uint8Array(20000).fill(65), false, max)).toThrow(/header larger/);
  });
});
