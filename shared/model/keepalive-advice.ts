/**
 * Keep-alive advice: how often something must cross a NAT binding so that incoming calls keep
 * arriving, and where to set that on the devices people run — one table, used by the inbound-call
 * test, the binding-lifetime finding and the monitor. Pure.
 *
 * Two settings are kept apart on purpose (the "SIP devices behind NAT" guide's tip): the
 * keep-alive interval (tiny packets every few seconds to minutes, to keep the NAT open) and the
 * re-registration interval (REGISTER every 30–60 minutes). Lowering the re-registration interval
 * to the NAT timeout instead of sending keep-alives floods the registrar.
 */

/** The safety margin: keep-alives at 80 % of the longest silence the binding was seen to survive. */
export const KEEPALIVE_MARGIN = 0.8;
/** Longer than this the NAT timeout is rarely the limit any more (RFC 4787 REQ-5: ≥ 2 minutes). */
export const MAX_RECOMMENDED_KEEPALIVE_SECONDS = 120;
/** What to keep the re-registration interval at (the guide: 30–60 minutes). */
export const RECOMMENDED_REREGISTER_SECONDS = 3600;

/**
 * Keep-alive interval for a binding that survived `survivedSeconds` of silence: 80 % of it, at most
 * 120 s (RFC 5626 §4.4.1's defaults are 95–120 s on connections and 24–29 s over UDP), at least 1 s.
 */
export function recommendedKeepAlive(survivedSeconds: number): number {
  return Math.max(
    1,
    Math.min(MAX_RECOMMENDED_KEEPALIVE_SECONDS, Math.floor(survivedSeconds * KEEPALIVE_MARGIN)),
  );
}

export type SipTransportName = 'udp' | 'tcp' | 'tls';

export interface KeepAliveAdviceRow {
  /** What the row is about, e.g. "Asterisk (res_pjsip), phones behind NAT". */
  product: string;
  /** The settings, ready to copy ("qualify_frequency = 24 (on the phone's AOR)"). */
  keepAlive: string[];
  /** Where re-registration is set, kept separate from the keep-alive. */
  reRegistration: string;
}

export interface KeepAliveAdviceInput {
  keepAliveSeconds: number;
  transport?: SipTransportName;
}

/** Concrete settings, per product, for a keep-alive every `keepAliveSeconds`. */
export function keepAliveAdvice(o: KeepAliveAdviceInput): KeepAliveAdviceRow[] {
  const n = o.keepAliveSeconds;
  const reg = RECOMMENDED_REREGISTER_SECONDS;
  const connection = o.transport === 'tcp' || o.transport === 'tls';
  return [
    {
      product: 'SIP phone or softphone',
      keepAlive: [
        `"NAT keep-alive" / "Keep-alive interval" = ${n} s (Yealink: account.1.nat.udp_update_enable = 1, account.1.nat.udp_update_time = ${n}; Grandstream: NAT Traversal = Keep-Alive, Keep-alive Interval = ${n})`,
        ...(connection
          ? [`over ${o.transport!.toUpperCase()}: enable "TCP keep-alive" / RFC 5626 outbound if offered`]
          : []),
      ],
      reRegistration: `"Registration expiry" / "Register Expires" = ${reg} s`,
    },
    {
      product: 'Asterisk (res_pjsip), phones behind NAT',
      keepAlive: [
        `qualify_frequency = ${n} (on each phone's [aor]: Asterisk sends OPTIONS that keep the binding open)`,
        ...(connection
          ? [`keep_alive_interval = ${n} ([global]: CRLF keep-alives on TCP/TLS connections)`]
          : []),
        'rewrite_contact = yes, force_rport = yes, rtp_symmetric = yes (on the [endpoint])',
      ],
      reRegistration: `the phone's expiry; cap it with maximum_expiration / default_expiration = ${reg} on the [aor]`,
    },
    {
      product: 'Asterisk (res_pjsip) behind NAT, registering to a provider',
      keepAlive: [`qualify_frequency = ${n} (on the provider's [aor])`],
      reRegistration: `expiration = ${reg} (on the [registration])`,
    },
    {
      product: 'Asterisk (chan_sip, legacy)',
      keepAlive: [`qualify = yes, qualifyfreq = ${n}, nat = force_rport,comedia (per peer)`],
      reRegistration: `defaultexpiry = ${reg}, maxexpiry = ${reg}`,
    },
    {
      product: 'FreeSWITCH, phones behind NAT',
      keepAlive: [
        `nat-options-ping = true (or udp-only; all-reg-options-ping = true for every registration) and ping-mean-interval = ${n} (sip profile)`,
        'sip-user-ping-max / sip-user-ping-min with unregister-on-options-fail = true: drop registrations whose pings fail',
      ],
      reRegistration: `the phone's expiry; force it with sip-force-expires = ${reg} (sip profile or user directory)`,
    },
    {
      product: 'FreeSWITCH behind NAT, registering to a provider',
      keepAlive: [`ping = ${n} (on the <gateway>: OPTIONS every ${n} s)`],
      reRegistration: `expire-seconds = ${reg} (on the <gateway>)`,
    },
    {
      product: 'Kamailio / OpenSIPS',
      keepAlive: [
        `modparam("nathelper", "natping_interval", ${n}) with sipping_bflag set for NATed contacts (OPTIONS pings)`,
      ],
      reRegistration: `modparam("registrar", "max_expires", ${reg})`,
    },
  ];
}

/** One line for findings: the keep-alive, and the re-registration kept separate. */
export function keepAliveSummary(o: KeepAliveAdviceInput): string[] {
  const n = o.keepAliveSeconds;
  return [
    `SIP phone: "NAT keep-alive" = ${n} s. Asterisk: qualify_frequency = ${n} on the AOR${o.transport && o.transport !== 'udp' ? ` and keep_alive_interval = ${n}` : ''}. FreeSWITCH: nat-options-ping = true with ping-mean-interval = ${n} (gateway: ping = ${n}).`,
    `Keep the re-registration interval separate and long (about ${RECOMMENDED_REREGISTER_SECONDS / 60} minutes): a short re-registration instead of keep-alives floods the registrar.`,
  ];
}
