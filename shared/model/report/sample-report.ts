import { diagnose } from '../diagnosis/rules.ts';
import { REPORT_SCHEMA_VERSION, type Report } from './report.ts';

/** A fixed, realistic report used by the golden tests and the e2e HTML rendering check. */
export const SAMPLE_PASSWORD = 'hunter2-Sup3rSecret';

export function sampleReport(): Report {
  const findings = diagnose({
    nat: {
      udpBlocked: false,
      natDetected: true,
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      hairpinning: false,
      mappedAddress: '203.0.113.2:51000',
      localAddress: '192.168.77.10:40000',
      classic: 'symmetric',
      lifetimeSeconds: 30,
      server: '203.0.113.10:3478',
    },
    router: {
      upnpFound: true,
      natpmpSupported: false,
      pcpSupported: false,
      externalIp: '100.64.0.2',
      manufacturer: 'D-Link',
      model: 'DIR-655',
      mappingFailures: [],
      mappingSuccesses: 1,
    },
    alg: {
      algDetected: true,
      evidence: 'reflector',
      rewrites: [
        { transport: 'udp', port: 5060, fields: ['Via', 'Contact', 'SDP c='], rewrittenTo: '100.64.0.2' },
      ],
    },
    call: {
      target: 'sip:9196@203.0.113.10',
      answered: true,
      sipStatus: 200,
      oneWayAudio: false,
      rtpSent: 500,
      rtpReceived: 470,
      lossPercent: 6,
      jitterMs: 18.5,
      rttMs: 120,
      mos: 3.4,
      rtpSourceMismatch: true,
    },
  });
  return {
    schema: 'natscope-report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: '2026-11-22T10:00:00.000Z',
    app: { name: 'NatScope', version: '0.1.0', platform: 'linux-x64', node: '24.21.0', electron: null },
    redaction: { secrets: true, publicIps: false, usernames: false, hostnames: false },
    steps: [
      { id: 'network', status: 'done' },
      { id: 'nat', status: 'done' },
      { id: 'router', status: 'done' },
      { id: 'alg', status: 'done' },
      { id: 'call', status: 'done' },
      { id: 'registration', status: 'skipped', reason: 'no --registrar given' },
    ],
    findings,
    network: {
      interfaces: [
        { name: 'lo', address: '127.0.0.1', class: 'loopback' },
        { name: 'eth0', address: '192.168.77.10', class: 'private' },
      ],
      gateways: ['192.168.77.1'],
      primary: '192.168.77.10',
      hops: ['1: 192.168.77.1', '2: 100.64.0.1', '3: 203.0.113.10'],
      hopsTarget: '203.0.113.10',
    },
    nat: {
      server: '203.0.113.10:3478',
      summary: {
        mapping: 'address-and-port-dependent',
        filtering: 'address-and-port-dependent',
        classic: 'symmetric',
      },
      transactions: [
        {
          test: 'mapping-1',
          from: '192.168.77.10:40000',
          to: '203.0.113.10:3478',
          request: 'Binding',
          responseFrom: '203.0.113.10:3478',
          response: 'XOR-MAPPED-ADDRESS 203.0.113.2:51000',
          rttMs: 1.2,
        },
        {
          test: 'filtering-2',
          from: '192.168.77.10:40002',
          to: '203.0.113.10:3478',
          request: 'Binding CHANGE-REQUEST ip+port',
          responseFrom: null,
          response: null,
          rttMs: null,
        },
      ],
    },
    router: {
      summary: { manufacturer: 'D-Link', model: 'DIR-655', externalIp: '100.64.0.2', igdVersion: 1 },
      mappings: [
        {
          protocol: 'UDP',
          externalPort: 5060,
          internalClient: '192.168.77.10',
          internalPort: 5060,
          description: 'NatScope test',
          leaseSeconds: 600,
          createdByNatScope: true,
        },
      ],
    },
    alg: {
      summary: { algDetected: true, evidence: 'reflector' },
      rows: [
        {
          transport: 'udp',
          port: 5060,
          sourcePort: 5060,
          verdict: 'rewritten',
          fields: [
            {
              name: 'Contact',
              sent: '<sip:alice@192.168.77.10:5060>',
              received: '<sip:alice@100.64.0.2:5060>',
            },
            { name: 'SDP c=', sent: 'IN IP4 192.168.77.10', received: 'IN IP4 100.64.0.2' },
          ],
        },
        { transport: 'udp', port: 5062, sourcePort: 40123, verdict: 'untouched', fields: [] },
      ],
    },
    call: {
      summary: {
        target: 'sip:9196@203.0.113.10',
        answered: true,
        sipStatus: 200,
        mos: 3.4,
        user: 'alice',
        password: SAMPLE_PASSWORD,
      },
      samples: [1, 2, 3, 4, 5].map((t) => ({
        t,
        lossPercent: t * 1.2,
        jitterMs: 10 + t * 2,
        rttMs: 110 + t * 4,
        mos: 4.2 - t * 0.16,
      })),
      ladder: [
        {
          direction: 'sent',
          time: 0,
          from: '192.168.77.10:5060',
          to: '203.0.113.10:5060',
          summary: 'INVITE sip:9196@203.0.113.10 SIP/2.0',
          raw: `INVITE sip:9196@203.0.113.10 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.77.10:5060;branch=z9hG4bK1;rport\r\nProxy-Authorization: Digest username="alice", realm="lab", response="6629fae49393a05397450978507c4ef1"\r\nX-Note: ${SAMPLE_PASSWORD}\r\nContent-Length: 0\r\n\r\n`,
        },
        {
          direction: 'received',
          time: 12,
          from: '203.0.113.10:5060',
          to: '192.168.77.10:5060',
          summary: 'SIP/2.0 200 OK',
          raw: 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n',
        },
      ],
    },
  };
}
