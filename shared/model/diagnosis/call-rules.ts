/** Findings about the echo call and the registration. */
import { REF, type Rule } from './rule-kit.ts';

export const callRules: Rule = ({ call, nat }) => {
  if (!call) return [];
  if (!call.answered || call.rtpSent === 0) {
    return [
      {
        id: 'no-audio',
        area: 'call',
        severity: 'problem',
        title: call.answered
          ? 'The call was answered but carried no audio'
          : `The test call failed${call.sipStatus ? ` (SIP ${call.sipStatus})` : ''}`,
        evidence: {
          target: call.target,
          answered: call.answered,
          sipStatus: call.sipStatus,
          rtpSent: call.rtpSent,
          rtpReceived: call.rtpReceived,
        },
        advice: [
          call.answered
            ? 'No media could be exchanged: check that UDP to the RTP port range is allowed outbound.'
            : 'Check the SIP server address and transport; if UDP is filtered try --transport tcp or tls.',
        ],
        references: [REF.fsNat],
      },
    ];
  }
  if (call.oneWayAudio || call.rtpReceived === 0) {
    return [
      {
        id: 'one-way-audio',
        area: 'call',
        severity: 'problem',
        title: 'One-way audio: we sent audio, the echo never came back',
        evidence: {
          target: call.target,
          rtpSent: call.rtpSent,
          rtpReceived: call.rtpReceived,
          natMapping: nat?.mapping ?? null,
        },
        advice: [
          'The far end sends media to the address in our SDP, which the NAT does not forward. Advertise the public (STUN-mapped) address, open/map the RTP range, or have the server use symmetric RTP (send back to where packets come from).',
          'FreeSWITCH: ext-rtp-ip set to the public address, or apply-nat-acl on the server; Asterisk: rtp_symmetric=yes, direct_media=no. A SIP ALG that rewrites SDP badly causes the same symptom.',
        ],
        references: [REF.fsNat, REF.asteriskNat],
      },
    ];
  }
  const poor =
    (call.mos !== null && call.mos < 3.6) ||
    (call.lossPercent !== null && call.lossPercent > 3) ||
    (call.jitterMs !== null && call.jitterMs > 30) ||
    (call.rttMs !== null && call.rttMs > 300);
  const evidence = {
    target: call.target,
    mos: call.mos,
    lossPercent: call.lossPercent,
    jitterMs: call.jitterMs,
    rttMs: call.rttMs,
    rtpSourceMismatch: call.rtpSourceMismatch,
  };
  if (poor) {
    return [
      {
        id: 'poor-call-quality',
        area: 'call',
        severity: call.mos !== null && call.mos < 3.1 ? 'problem' : 'warning',
        title: `Audio flows both ways but quality is poor${call.mos !== null ? ` (MOS ${call.mos.toFixed(2)})` : ''}`,
        evidence,
        advice: [
          'Loss and jitter come from the path (Wi-Fi, a saturated uplink): test on a cable, stop large uploads, enable QoS/SQM on the router for RTP.',
          'High round-trip time: pick a SIP server or media relay closer to you.',
        ],
        references: [],
      },
    ];
  }
  return [
    {
      id: 'call-ok',
      area: 'call',
      severity: 'ok',
      title: `Echo test call: audio flows both ways${call.mos !== null ? ` (MOS ${call.mos.toFixed(2)})` : ''}`,
      evidence,
      advice: call.rtpSourceMismatch
        ? [
            'RTP came back from a different address/port than the SDP said: a NAT is in the far end’s path, and symmetric RTP is what made this call work.',
          ]
        : [],
      references: [],
    },
  ];
};

export const registration: Rule = ({ registration: r }) =>
  r && !r.ok
    ? [
        {
          id: 'registration-failed',
          area: 'call',
          severity: 'problem',
          title: `Registration with ${r.registrar} failed${r.sipStatus ? ` (SIP ${r.sipStatus})` : ''}`,
          evidence: { registrar: r.registrar, sipStatus: r.sipStatus, reason: r.reason },
          advice: [
            r.sipStatus === 401 || r.sipStatus === 403 || r.sipStatus === 407
              ? 'The registrar rejected the credentials: check the username (auth user may differ from the extension) and password.'
              : 'Check the registrar address, port and transport; a timeout through UDP but not TCP points at a firewall or a SIP ALG.',
          ],
          references: [],
        },
      ]
    : [];
