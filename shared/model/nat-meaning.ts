/**
 * What each NAT behaviour means for SIP and RTP, in plain language — shown on the "NAT type" cards
 * and in `natscope nat` output. Pure: takes results, returns text.
 */
import type { ClassicNatType, FilteringBehaviour, MappingBehaviour } from '../contracts/nat.ts';

export type MeaningTopic =
  'summary' | 'mapping' | 'filtering' | 'hairpinning' | 'port-preservation' | 'lifetime';
export type MeaningSeverity = 'ok' | 'warning' | 'problem' | 'unknown';

export interface NatMeaning {
  topic: MeaningTopic;
  severity: MeaningSeverity;
  text: string;
}

export interface MeaningInputs {
  udpBlocked: boolean;
  /** No server answered and nothing proves UDP blocked (see shared/model/udp-verdict.ts). */
  serverSilent?: boolean;
  natDetected: boolean | null;
  mapping: MappingBehaviour | null;
  filtering: FilteringBehaviour | null;
  hairpinning: boolean | null;
  portPreserved: boolean | null;
  classic: ClassicNatType | null;
  serverCapable: boolean;
  lifetimeSeconds?: number | null;
  recommendedKeepAliveSeconds?: number | null;
}

export function natSipMeaning(r: MeaningInputs): NatMeaning[] {
  const out: NatMeaning[] = [];
  if (r.udpBlocked) {
    out.push({
      topic: 'summary',
      severity: 'problem',
      text: 'No UDP gets through. SIP over UDP and RTP media cannot work from here; use SIP over TCP/TLS and a TURN relay over TCP/TLS (e.g. port 443), or ask for UDP to be allowed.',
    });
    return out;
  }
  if (r.serverSilent) {
    out.push({
      topic: 'summary',
      severity: 'unknown',
      text: 'The STUN server did not answer (over UDP or TCP). That alone does not show UDP is blocked — the server may be down — so the NAT type is unknown. Try a second server.',
    });
    return out;
  }
  if (!r.serverCapable) {
    out.push({
      topic: 'summary',
      severity: 'unknown',
      text: 'The STUN server cannot run behaviour tests (no working alternate address), so mapping and filtering are unknown rather than guessed. Use an RFC 5780 server.',
    });
  }
  if (r.natDetected === false) {
    out.push({
      topic: 'summary',
      severity: r.filtering === 'endpoint-independent' ? 'ok' : 'warning',
      text:
        r.filtering === 'endpoint-independent'
          ? 'No NAT: your public address is on this machine and nothing filters inbound UDP. SIP and RTP work without any NAT workaround.'
          : 'No NAT, but a firewall drops packets from hosts you have not sent to. Incoming calls and media need the firewall to let them in (or keep-alives / symmetric RTP).',
    });
  }
  switch (r.mapping) {
    case 'endpoint-independent':
      out.push({
        topic: 'mapping',
        severity: 'ok',
        text: 'Your public address:port stays the same whatever you talk to. The address STUN discovers is the one your SIP peer and media server see, so STUN/ICE candidates work.',
      });
      break;
    case 'address-dependent':
    case 'address-and-port-dependent':
      out.push({
        topic: 'mapping',
        severity: 'problem',
        text: 'Symmetric NAT: every destination gets a different public port, so the address learned by STUN is wrong for anyone else. Media needs a relay (TURN) or far-end NAT traversal on the server (symmetric RTP / comedia / rtpproxy); direct peer-to-peer media will fail.',
      });
      break;
    default:
      if (r.natDetected !== false)
        out.push({ topic: 'mapping', severity: 'unknown', text: 'Mapping behaviour unknown.' });
  }
  switch (r.filtering) {
    case 'endpoint-independent':
      if (r.natDetected !== false)
        out.push({
          topic: 'filtering',
          severity: 'ok',
          text: 'Once you have sent from a port, anyone can reach it. Incoming calls and media arrive as long as the mapping is kept alive.',
        });
      break;
    case 'address-dependent':
      out.push({
        topic: 'filtering',
        severity: 'warning',
        text: 'Only hosts you have already sent to get in (any port of theirs). Media from a different media server address is dropped until you send to it first — symmetric RTP or ICE fixes it.',
      });
      break;
    case 'address-and-port-dependent':
      out.push({
        topic: 'filtering',
        severity: 'warning',
        text: 'Only the exact address:port you sent to gets in. Incoming calls need a registration kept alive to the same proxy address, and media works only when you send first to the exact media port (symmetric RTP, ICE or a relay).',
      });
      break;
    default:
      out.push({ topic: 'filtering', severity: 'unknown', text: 'Filtering behaviour unknown.' });
  }
  if (r.hairpinning === true)
    out.push({
      topic: 'hairpinning',
      severity: 'ok',
      text: 'Hairpinning works: two phones behind this NAT can reach each other via their public addresses.',
    });
  else if (r.hairpinning === false)
    out.push({
      topic: 'hairpinning',
      severity: 'warning',
      text: 'No hairpinning: calls between two devices behind this same NAT fail (one-way or no audio) when they use public addresses. The server must relay them or offer local addresses (ICE).',
    });
  if (r.portPreserved === true)
    out.push({
      topic: 'port-preservation',
      severity: 'ok',
      text: 'The NAT keeps your local port numbers; SIP on 5060 appears as 5060 outside (handy for port forwarding).',
    });
  else if (r.portPreserved === false)
    out.push({
      topic: 'port-preservation',
      severity: 'warning',
      text: 'The NAT changes port numbers: the Via/Contact port a phone writes is not the port the server sees. The server must use the received source port (rport, RFC 3581).',
    });
  if (r.lifetimeSeconds != null) {
    const ka = r.recommendedKeepAliveSeconds;
    out.push({
      topic: 'lifetime',
      severity: r.lifetimeSeconds < 60 ? 'warning' : 'ok',
      text: `An idle UDP mapping lives about ${Math.round(r.lifetimeSeconds)} s. Send SIP keep-alives (CRLF or OPTIONS) or re-REGISTER at least every ${ka ?? Math.floor(r.lifetimeSeconds * 0.8)} s, or incoming calls stop arriving.`,
    });
  }
  return out;
}

/** Recommended keep-alive interval for a measured lifetime (one formula for every keep-alive advice). */
export { recommendedKeepAlive } from './keepalive-advice.ts';
