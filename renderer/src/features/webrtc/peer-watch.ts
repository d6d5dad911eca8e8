/**
 * Watches the echo call's RTCPeerConnection (through SIP.js's PeerConnectionDelegate): local ICE
 * candidates as they are gathered, STUN/TURN servers that fail (icecandidateerror), ICE and
 * connection state changes, and the moment it connected. Stats are read from getStats() on demand.
 */
import type { Candidate, WebrtcEvent } from '../../../../shared/contracts/webrtc.ts';
import { readStats, type StatsEntry, type StatsSnapshot } from '../../../../shared/model/webrtc/stats.ts';

export class PeerWatch {
  readonly candidates: Candidate[] = [];
  readonly serverErrors: { url: string; code: number; text: string }[] = [];
  pc: RTCPeerConnection | null = null;
  connectedAt: number | null = null;
  private readonly onEvent: (e: WebrtcEvent) => void;
  private readonly changed = new Set<() => void>();

  constructor(onEvent: (e: WebrtcEvent) => void) {
    this.onEvent = onEvent;
  }

  /** The delegate SIP.js installs on the peer connection it creates. */
  delegate(pc: () => RTCPeerConnection | undefined) {
    const notify = () => {
      this.pc = pc() ?? this.pc;
      if (this.pc?.connectionState === 'connected' && this.connectedAt === null)
        this.connectedAt = performance.now();
      for (const l of this.changed) l();
    };
    return {
      onicecandidate: (e: RTCPeerConnectionIceEvent) => {
        this.pc = pc() ?? this.pc;
        const c = e.candidate ? candidateFromSdp(e.candidate) : null;
        if (!c) return;
        this.candidates.push(c);
        this.onEvent({ kind: 'candidate', candidate: c });
      },
      onicecandidateerror: (e: Event) => {
        const err = e as RTCPeerConnectionIceErrorEvent;
        const url = err.url ?? '';
        if (this.serverErrors.some((x) => x.url === url && x.code === err.errorCode)) return;
        this.serverErrors.push({ url, code: err.errorCode, text: err.errorText ?? '' });
      },
      oniceconnectionstatechange: notify,
      onconnectionstatechange: notify,
    };
  }

  get iceState(): string | null {
    return this.pc?.iceConnectionState ?? null;
  }

  get connectionState(): string | null {
    return this.pc?.connectionState ?? null;
  }

  /** Resolves once the connection is 'connected', 'failed' or `timeoutMs` passed; says which. */
  waitConnected(timeoutMs: number, signal: AbortSignal): Promise<'connected' | 'failed' | 'timeout'> {
    return new Promise((resolve) => {
      const check = () => {
        const s = this.pc?.connectionState;
        if (s === 'connected') finish('connected');
        else if (s === 'failed' || this.pc?.iceConnectionState === 'failed') finish('failed');
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const finish = (r: 'connected' | 'failed' | 'timeout') => {
        clearTimeout(timer);
        this.changed.delete(check);
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => finish('timeout');
      signal.addEventListener('abort', onAbort, { once: true });
      this.changed.add(check);
      check();
    });
  }

  async snapshot(): Promise<StatsSnapshot | null> {
    if (!this.pc) return null;
    const report = await this.pc.getStats();
    const entries: StatsEntry[] = [];
    report.forEach((v: StatsEntry) => entries.push({ ...v }));
    return readStats(entries);
  }
}

/** RFC 8839 §5.1 candidate-attribute, as the browser hands it over. */
export function candidateFromSdp(c: RTCIceCandidate): Candidate | null {
  const type = c.type;
  if (type !== 'host' && type !== 'srflx' && type !== 'prflx' && type !== 'relay') return null;
  // relayProtocol is in webrtc-pc but not yet in TypeScript's DOM types.
  const relay = (c as RTCIceCandidate & { relayProtocol?: string }).relayProtocol;
  return {
    type,
    protocol: c.protocol === 'tcp' ? 'tcp' : 'udp',
    address: c.address ?? null,
    port: c.port ?? null,
    relayProtocol: relay === 'udp' || relay === 'tcp' || relay === 'tls' ? relay : null,
  };
}
