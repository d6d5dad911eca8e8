/**
 * SDP for a G.711 audio call — RFC 4566 (syntax), RFC 3264 (offer/answer), RFC 3551 (static
 * payload types 0 PCMU / 8 PCMA), RFC 4733 (telephone-event), RFC 3605 (a=rtcp). Builds the offer
 * and parses the answer; parsing never throws: malformed input → `SdpError` with a reason.
 */
export type AudioCodec = 'pcmu' | 'pcma';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpOffer {
  sessionId: number;
  version: number;
  /** Address advertised in o= and c=. */
  address: string;
  rtpPort: number;
  rtcpPort: number;
  ptime?: number;
  direction?: Direction;
  /**
   * Payload types to list, in order (default PCMU, PCMA, telephone-event): an answer lists only
   * what the offer had (RFC 3264 §6.1). PT 0 / 8 are PCMU / PCMA; any other is telephone-event.
   */
  formats?: readonly number[];
  /** Further m= lines of the offer, rejected (port 0) in the answer (RFC 3264 §6). */
  rejectedMedia?: readonly string[];
}

export const TELEPHONE_EVENT_PT = 101;

export function buildOffer(o: SdpOffer): string {
  const ipv = o.address.includes(':') ? 'IP6' : 'IP4';
  const formats = o.formats ?? [0, 8, TELEPHONE_EVENT_PT];
  const lines = [
    'v=0',
    `o=NatScope ${o.sessionId} ${o.version} IN ${ipv} ${o.address}`,
    's=NatScope echo test',
    `c=IN ${ipv} ${o.address}`,
    't=0 0',
    `m=audio ${o.rtpPort} RTP/AVP ${formats.join(' ')}`,
  ];
  for (const pt of formats) {
    if (pt === 0) lines.push('a=rtpmap:0 PCMU/8000');
    else if (pt === 8) lines.push('a=rtpmap:8 PCMA/8000');
    else lines.push(`a=rtpmap:${pt} telephone-event/8000`, `a=fmtp:${pt} 0-16`);
  }
  lines.push(
    `a=ptime:${o.ptime ?? 20}`,
    // RFC 3605: stated explicitly so the far end need not assume RTP port + 1.
    `a=rtcp:${o.rtcpPort}`,
    `a=${o.direction ?? 'sendrecv'}`,
  );
  for (const m of o.rejectedMedia ?? []) lines.push(m);
  return lines.join('\r\n') + '\r\n';
}

export interface SdpAnswer {
  /** Connection address for audio (media-level c= overrides session-level). */
  address: string;
  rtpPort: number;
  /** a=rtcp port, else RTP port + 1 (RFC 3550 §11). */
  rtcpPort: number;
  rtcpAddress: string;
  /** First payload type we support, in the answerer's order. */
  codec: AudioCodec | null;
  payloadType: number | null;
  telephoneEventPt: number | null;
  direction: Direction;
  ptime: number | null;
  /** The m= line was rejected (port 0). */
  rejected: boolean;
  /** Every payload type of the audio m= line, in order. */
  formats: number[];
  /** o= session id and version (RFC 4566 §5.2), to tell a changed description from a repeat. */
  origin: { sessionId: string; version: string } | null;
  /** The other m= lines, each as it would be rejected in an answer ("m=video 0 RTP/AVP 96"). */
  otherMedia: string[];
}

export class SdpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdpError';
  }
}

const MAX_SDP = 64 * 1024;

export function parseAnswer(text: string): SdpAnswer {
  if (text.length > MAX_SDP) throw new SdpError('SDP too large');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== 'v=0') throw new SdpError('SDP does not start with v=0');
  let sessionAddr: string | null = null;
  let sessionDir: Direction = 'sendrecv';
  let audio: {
    port: number;
    pts: number[];
    addr: string | null;
    rtcp: { port: number; addr: string | null } | null;
    dir: Direction | null;
    rtpmap: Map<number, string>;
    ptime: number | null;
  } | null = null;
  let inAudio = false;
  let sawMedia = false;
  let origin: SdpAnswer['origin'] = null;
  const otherMedia: string[] = [];
  for (const line of lines) {
    if (line.length < 2 || line[1] !== '=') throw new SdpError(`malformed SDP line "${line.slice(0, 40)}"`);
    const type = line[0];
    const value = line.slice(2);
    if (type === 'o') {
      const f = value.split(' ');
      if (f.length >= 3) origin = { sessionId: f[1]!, version: f[2]! };
      continue;
    }
    if (type === 'm') {
      sawMedia = true;
      const m = /^(\w+) (\d+)(?:\/\d+)? ([\w/.-]+)((?: [\w.-]+)*)$/.exec(value);
      if (!m) throw new SdpError(`malformed m= line "${value.slice(0, 60)}"`);
      inAudio = m[1] === 'audio' && audio === null;
      if (!inAudio) otherMedia.push(`m=${m[1]} 0 ${m[3]}${m[4] ?? ''}`);
      if (inAudio) {
        const port = Number(m[2]);
        if (port > 65535) throw new SdpError(`bad media port ${port}`);
        audio = {
          port,
          pts: m[4]!
            .trim()
            .split(' ')
            .filter(Boolean)
            .map(Number)
            .filter((n) => Number.isInteger(n) && n >= 0 && n < 128),
          addr: null,
          rtcp: null,
          dir: null,
          rtpmap: new Map(),
          ptime: null,
        };
      }
      continue;
    }
    if (type === 'c') {
      const c = /^IN IP[46] ([^\s/]+)/.exec(value);
      if (!c) throw new SdpError(`malformed c= line "${value.slice(0, 60)}"`);
      if (!sawMedia) sessionAddr = c[1]!;
      else if (inAudio && audio) audio.addr = c[1]!;
      continue;
    }
    if (type !== 'a') continue;
    const dir = /^(sendrecv|sendonly|recvonly|inactive)$/.exec(value)?.[1] as Direction | undefined;
    if (dir) {
      if (!sawMedia) sessionDir = dir;
      else if (inAudio && audio) audio.dir = dir;
      continue;
    }
    if (!inAudio || !audio) continue;
    const rtpmap = /^rtpmap:(\d+) ([\w-]+)\/(\d+)/.exec(value);
    if (rtpmap) audio.rtpmap.set(Number(rtpmap[1]), rtpmap[2]!.toLowerCase());
    const rtcp = /^rtcp:(\d+)(?: IN IP[46] (\S+))?/.exec(value);
    if (rtcp) {
      const port = Number(rtcp[1]);
      if (port < 1 || port > 65535) throw new SdpError(`bad a=rtcp port ${port}`);
      audio.rtcp = { port, addr: rtcp[2] ?? null };
    }
    const ptime = /^ptime:(\d+)/.exec(value);
    if (ptime) audio.ptime = Number(ptime[1]);
  }
  if (!audio) throw new SdpError('no audio m= line in SDP');
  const address = audio.addr ?? sessionAddr;
  if (!address) throw new SdpError('SDP has no c= connection address for audio');
  let codec: AudioCodec | null = null;
  let payloadType: number | null = null;
  for (const pt of audio.pts) {
    const name = audio.rtpmap.get(pt) ?? (pt === 0 ? 'pcmu' : pt === 8 ? 'pcma' : undefined);
    if (name === 'pcmu' || name === 'pcma') {
      codec = name;
      payloadType = pt;
      break;
    }
  }
  let te: number | null = null;
  for (const [pt, name] of audio.rtpmap) if (name === 'telephone-event') te = pt;
  return {
    address,
    rtpPort: audio.port,
    rtcpPort: audio.rtcp?.port ?? audio.port + 1,
    rtcpAddress: audio.rtcp?.addr ?? address,
    codec,
    payloadType,
    telephoneEventPt: te,
    direction: audio.dir ?? sessionDir,
    ptime: audio.ptime,
    rejected: audio.port === 0,
    formats: audio.pts,
    origin,
    otherMedia,
  };
}
