import type { CommandEntry } from '../command.ts';

/**
 * Every `natscope` sub-command, in the order `natscope --help` lists them: one entry each, with the
 * name and summary `--help` prints and a dynamic import of the module (loaded only when that command
 * runs; see the README, "Adding a CLI command"). Keep the import a literal path: the bundler turns
 * each into its own chunk.
 */
export const commands: readonly CommandEntry[] = [
  {
    name: 'network',
    summary: 'List interfaces and addresses (classified), default gateways and the primary outbound address',
    load: async () => (await import('./network.ts')).networkCommand,
  },
  {
    name: 'nat',
    summary:
      'NAT behaviour discovery with STUN (RFC 5780): mapping, filtering, hairpinning, port preservation, lifetime',
    load: async () => (await import('./nat.ts')).natCommand,
  },
  {
    name: 'router',
    summary:
      'Ask the router (UPnP IGD, NAT-PMP, PCP): external IP, device, port-mapping table, double-NAT signs',
    load: async () => (await import('./router.ts')).routerCommand,
  },
  {
    name: 'map',
    summary: 'List, add, delete and verify router port mappings (UPnP, NAT-PMP, PCP) — safely',
    load: async () => (await import('./map.ts')).mapCommand,
  },
  {
    name: 'call',
    summary: 'Echo test: call a SIP echo service, send a test signal over RTP and measure what comes back',
    load: async () => (await import('./call.ts')).callCommand,
  },
  {
    name: 'incoming',
    summary: 'Inbound-call test: do calls still reach you after your phone was silent? Keep-alive advice',
    load: async () => (await import('./incoming.ts')).incomingCommand,
  },
  {
    name: 'alg',
    summary: 'SIP ALG test: send crafted SIP to a `natscope server` reflector and compare it byte for byte',
    load: async () => (await import('./alg.ts')).algCommand,
  },
  {
    name: 'turn',
    summary: 'Would a relay fix it? TURN allocation (RFC 8656), candidate summary and relay findings',
    load: async () => (await import('./turn.ts')).turnCommand,
  },
  {
    name: 'webrtc',
    summary: 'WebRTC echo in a headless Chromium: SIP over WebSocket, ICE, DTLS-SRTP, audio both ways',
    load: async () => (await import('./webrtc.ts')).webrtcCommand,
  },
  {
    name: 'diagnose',
    summary: 'Run every step whose inputs are given, then print findings and advice (and write a report)',
    load: async () => (await import('./diagnose.ts')).diagnoseCommand,
  },
  {
    name: 'monitor',
    summary:
      'Watch for hours: public IP, NAT mapping, router, registration and call quality, with a timeline',
    load: async () => (await import('./monitor.ts')).monitorCommand,
  },
  {
    name: 'server',
    summary: 'Run the companion server: STUN (RFC 5780), SIP reflector for the ALG test, SIP echo UAS',
    load: async () => (await import('./server.ts')).serverCommand,
  },
  {
    name: 'demo',
    summary: 'Offline demo: start the companion server on loopback and run every step against it',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    name: 'serve',
    summary: 'Serve the NatScope UI to a browser on 127.0.0.1 (web mode)',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
];
