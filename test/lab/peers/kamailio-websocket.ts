// Kamailio as a WebRTC gateway (issue #16), built on the lab PBX (peers/pbx.ts, peers/kamailio.ts):
// SIP over WebSocket on ws (8080) and wss (8443, TLS with the lab CA), with rtpengine bridging the
// browser's WebRTC media (ICE, DTLS-SRTP, rtcp-mux) to the echo phones' plain RTP.
//
// What the extension changes in the generated config, and why (lab notes, "Peers for the second
// wave"): the xhttp + websocket modules and an event_route[xhttp:request] that upgrades; core
// tcp_accept_no_cl=yes (WebSocket frames carry no Content-Length); WebSocket clients name themselves
// "….invalid" (RFC 7118 §5.2), so their REGISTER gets fix_nated_register() and their dialogs'
// Contact an alias (set_contact_alias / handle_ruri_alias) instead of the generator's
// fix_nated_contact(); an offer in RTP/SAVPF (a browser) is bridged to RTP/AVP with ICE removed and
// rtcp-mux split, and the answer goes back with ICE forced and rtcp-mux required.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Lab } from '../lab.ts';
import type { KamailioConfig } from './kamailio.ts';
import { startLabPbx, type LabPbx } from './pbx.ts';

export const WS_PORT = 8080;
export const WSS_PORT = 8443;
/** Transaction flag: the offer came from a WebRTC client (RTP/SAVPF). */
const FLAG_WEBRTC = 7;

const TO_RTP = 'trust-address replace-origin replace-session-connection ICE=remove rtcp-mux-demux RTP/AVP';
const TO_BROWSER = 'ICE=force rtcp-mux-require RTP/SAVPF';

/** Replaces `anchor` in a generated block; a generator change that moves it must fail loudly here. */
function patch(cfg: KamailioConfig, header: string, anchor: string, replacement: string): void {
  const body = cfg.block(header);
  if (!body?.includes(anchor)) throw new Error(`kamailio-websocket: "${anchor}" not found in ${header}`);
  cfg.route(header, body.replace(anchor, replacement));
}

export function addWebSocket(cfg: KamailioConfig, address: string): void {
  cfg
    .set('tcp_accept_no_cl', true)
    .listen('tcp', address, WS_PORT)
    .listen('tls', address, WSS_PORT)
    .module('xhttp')
    .module('websocket');
  cfg.route(
    'event_route[xhttp:request]',
    `
set_reply_close();
set_reply_no_connect();
if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
  if (ws_handle_handshake()) exit;
}
xhttp_reply("404", "Not Found", "", "");`,
  );
  const isWs = '(proto == WS || proto == WSS)';
  patch(
    cfg,
    'request_route',
    'if (nat_uac_test("19"))',
    `if (has_body("application/sdp") && search_body("RTP/SAVPF")) setflag(${FLAG_WEBRTC});
if (${isWs}) {
  if (is_method("REGISTER")) fix_nated_register();
  else if (!has_totag()) set_contact_alias();
} else if (nat_uac_test("19"))`,
  );
  patch(cfg, 'route[WITHINDLG]', 'if (loose_route()) {', 'if (loose_route()) {\n  handle_ruri_alias();');
  const relay = cfg.block('route[RELAY]') ?? '';
  const media = /if \(has_body\("application\/sdp"\)\) rtpengine_manage\("([^"]*)"\);/.exec(relay);
  if (!media) throw new Error('kamailio-websocket: the RELAY route has no rtpengine_manage for offers');
  patch(
    cfg,
    'route[RELAY]',
    media[0],
    `if (has_body("application/sdp")) { if (isflagset(${FLAG_WEBRTC})) rtpengine_manage("${TO_RTP}"); else rtpengine_manage("${media[1]}"); }`,
  );
  const reply = cfg.block('onreply_route[MANAGE_REPLY]') ?? '';
  const answer = /if \(has_body\("application\/sdp"\)\) rtpengine_manage\("([^"]*)"\);/.exec(reply);
  if (!answer) throw new Error('kamailio-websocket: MANAGE_REPLY has no rtpengine_manage for answers');
  patch(
    cfg,
    'onreply_route[MANAGE_REPLY]',
    answer[0],
    `if (has_body("application/sdp")) { if (isflagset(${FLAG_WEBRTC})) rtpengine_manage("${TO_BROWSER}"); else rtpengine_manage("${answer[1]}"); }`,
  );
}

export interface WebrtcGateway {
  pbx: LabPbx;
  wsUrl: string;
  wssUrl: string;
  /** The lab CA's certificate (PEM path): `--ca` for the CLI. */
  caCert: string;
  /** SHA-256 of the gateway certificate's key, for Chromium's --ignore-certificate-errors-spki-list. */
  spkiPin: string;
}

/** The lab PBX (Kamailio + rtpengine + baresip echo 9196) with the WebSocket gateway on. */
export async function startWebrtcGateway(lab: Lab): Promise<WebrtcGateway> {
  const address = lab.addr.serverPrimary;
  const pbx = await startLabPbx(lab, {
    tls: true,
    delayedEcho: false,
    name: 'webrtc-gw',
    extend: (cfg) => addWebSocket(cfg, address),
  });
  return {
    pbx,
    wsUrl: `ws://${address}:${WS_PORT}/`,
    wssUrl: `wss://${address}:${WSS_PORT}/`,
    caCert: pbx.ca!.caCert,
    spkiPin: createHash('sha256')
      .update(
        new X509Certificate(readFileSync(join(pbx.ca!.dir, 'pbx.crt'))).publicKey.export({
          type: 'spki',
          format: 'der',
        }),
      )
      .digest('base64'),
  };
}
