import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { UdpSocket } from '../net/network.ts';
import { decodeRtp, encodeRtp } from '../rtp/rtp-packet.ts';
import { ManualClock } from '../sip/test-fakes.ts';
import { echoRtp, type EchoMediaState } from './rtp-echo.ts';

function fakeSocket() {
  let listener: (data: Uint8Array, from: Endpoint) => void = () => {};
  const sent: { data: Uint8Array; to: Endpoint }[] = [];
  const sock: UdpSocket = {
    local: { address: '198.51.100.1', port: 40000 },
    send: async (data, to) => void sent.push({ data: data.slice(), to }),
    onMessage: (l) => ((listener = l), () => {}),
    close: async () => {},
  };
  return { sock, sent, deliver: (data: Uint8Array, from: Endpoint) => listener(data, from) };
}

const PHONE = { address: '203.0.113.5', port: 7078 };
const packet = (seq: number) =>
  encodeRtp({
    payloadType: 8,
    marker: seq === 0,
    sequence: seq,
    timestamp: seq * 160,
    ssrc: 0xabc,
    payload: new Uint8Array(160).fill(seq),
  });

function setup(maxPps = 50) {
  const clock = new ManualClock();
  const s = fakeSocket();
  const call: EchoMediaState = {
    signalling: { address: PHONE.address, port: 5060 },
    ssrc: 0x11223344,
    rtpPeer: null,
    lastMediaAt: 0,
    theirSsrc: null,
    highestSeq: 0,
    echoed: 0,
    octets: 0,
  };
  echoRtp(s.sock, call, { clock, maxPps, maxRtpBytes: 1500 });
  return { ...s, call, clock };
}

describe('RTP echo', () => {
  it('a plain packet comes back byte for byte, with the echo SSRC', () => {
    const { sent, deliver, call } = setup();
    const p = packet(0);
    deliver(p.slice(), PHONE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(PHONE);
    const want = p.slice();
    want.set([0x11, 0x22, 0x33, 0x44], 8);
    expect([...sent[0]!.data]).toEqual([...want]);
    expect([call.theirSsrc, call.highestSeq, call.echoed, call.octets]).toEqual([0xabc, 0, 1, 160]);
  });

  it('CSRCs, a header extension and padding are dropped, as the decoder always did', () => {
    const { sent, deliver } = setup();
    const body = packet(3);
    // V=2, P=1, X=1, CC=1: CSRC, a one-word extension, 4 bytes of padding
    const p = new Uint8Array([
      0xb1,
      body[1]!,
      ...body.subarray(2, 12),
      0,
      0,
      0,
      9,
      0xbe,
      0xde,
      0,
      1,
      1,
      2,
      3,
      4,
      ...body.subarray(12),
      0,
      0,
      0,
      4,
    ]);
    deliver(p, PHONE);
    const e = decodeRtp(sent[0]!.data)!;
    expect(sent[0]!.data.length).toBe(12 + 160);
    expect([e.sequence, e.ssrc, e.payloadType, e.payload[0]]).toEqual([3, 0x11223344, 8, 3]);
  });

  it('ignores other addresses, RTCP, runts; at most 2 s of packets at once', () => {
    const { sent, deliver, clock } = setup(10);
    deliver(packet(1), { address: '192.0.2.66', port: 7078 });
    deliver(new Uint8Array([0x80, 200, 0, 1]), PHONE);
    const rtcpMux = packet(2);
    rtcpMux[1] = 0x80 | 72;
    deliver(rtcpMux, PHONE);
    expect(sent).toHaveLength(0);
    for (let i = 0; i < 30; i++) deliver(packet(i), PHONE);
    expect(sent).toHaveLength(20);
    clock.advance(1000);
    for (let i = 0; i < 30; i++) deliver(packet(i), PHONE);
    expect(sent).toHaveLength(30);
  });
});
