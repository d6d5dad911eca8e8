/**
 * STUN for NatScope: the codec (RFC 8489/5389 messages, RFC 5780 and RFC 3489 attributes, RFC 5769
 * verified), client transactions over UDP and TCP, RFC 5780 NAT behaviour discovery, and a minimal
 * Binding server for tests and `natscope server`.
 */
export * from './codec.ts';
export * from './transaction.ts';
export * from './server.ts';
export { discoverUdp, type UdpDiscoveryOptions } from './discovery.ts';
export { discoverTcp, tcpBinding, type TcpDiscoveryOptions } from './tcp-discovery.ts';
export { measureLifetime, lifetimeLadder, type LifetimeOptions } from './lifetime.ts';
export { ProbeContext, mappedOf, changeRequest } from './probe.ts';
export { RunRecorder } from './recorder.ts';
