// diagnose's relay step with --echo-uri: the call step's direct call beside the same call through the
// relay (placed once more, with the relay's credentials), and the relay finding reading both.
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../../shared/contracts/call.ts';
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import type { RelayConfig } from '../../../shared/contracts/relay-config.ts';
import { DiagnoseInputSchema } from '../../../shared/contracts/report.ts';
import type { TurnReport } from '../../../shared/contracts/turn.ts';
import type { StepResults } from '../../../shared/model/diagnosis/from-results.ts';
import type { StepOutcome } from '../../../shared/model/report/report.ts';
import { runRelayStep } from './relay-step.ts';

const input = DiagnoseInputSchema.parse({
  echoUri: 'sip:echo@192.0.2.20',
  turnServer: '192.0.2.9:3478',
  turnUser: 'carol',
  turnPassword: 'relay-pass',
});

/** The fields of a call result the verdict line and the relay facts read. */
function call(received: number, relay?: string): CallResult {
  return {
    target: input.echoUri,
    answered: true,
    sipStatus: 200,
    endReason: 'completed',
    oneWayAudio: received === 0,
    rtp: { sent: 200, received, lossPercent: 0, jitterMs: 1, rttMs: 20, mos: received ? 4.4 : null },
    signaling: { server: '192.0.2.20:5060', viaReceived: null },
    ...(relay ? { relay: { relayedRtp: relay, relayedRtcp: relay.replace(/0$/, '1') } } : {}),
  } as unknown as CallResult;
}

function allocated(): TurnReport {
  return {
    server: '192.0.2.9:3478',
    transport: 'udp',
    allocated: true,
    relayedAddress: '192.0.2.9:50000',
    error: null,
    echo: null,
    findings: [],
    warnings: [],
    candidates: [],
  } as unknown as TurnReport;
}

async function relayStep(
  callStep: StepOutcome,
  direct: CallResult | undefined,
  relayed: () => Promise<CallResult>,
) {
  const results: StepResults = direct ? { call: direct } : {};
  const steps: StepOutcome[] = [callStep];
  const events: ProgressEvent[] = [];
  const relays: RelayConfig[] = [];
  await runRelayStep(
    input,
    results,
    steps,
    { signal: new AbortController().signal, emit: (e) => events.push(e) },
    {
      turn: { test: () => Promise.resolve(allocated()) },
      relayedCall: (relay) => {
        relays.push(relay);
        return relayed();
      },
    },
  );
  return { turn: results.turn!, steps, events, relays };
}

describe('diagnose relay step: the echo call through the relay', () => {
  it('places the call again through the relay and shows it beside the direct one', async () => {
    const { turn, steps, relays } = await relayStep({ id: 'call', status: 'done' }, call(0), () =>
      Promise.resolve(call(200, '192.0.2.9:50000')),
    );
    expect(relays).toEqual([
      expect.objectContaining({
        server: '192.0.2.9:3478',
        transport: 'udp',
        username: 'carol',
        password: 'relay-pass',
      }),
    ]);
    expect(turn.echo).toMatchObject({
      answered: true,
      oneWayAudio: false,
      relayedRtp: '192.0.2.9:50000',
      direct: { answered: true, oneWayAudio: true },
      summary: 'direct: one-way audio (nothing came back); through relay: MOS 4.4, loss 0.0 %',
    });
    expect(turn.findings.map((f) => f.id)).toEqual(['relay-needed']);
    expect(steps.find((s) => s.id === 'relay')).toMatchObject({ status: 'done' });
  });

  it('a relayed call that fails makes the relay unreachable, with the reason in the verdict line', async () => {
    const { turn } = await relayStep({ id: 'call', status: 'done' }, call(200), () =>
      Promise.reject(new Error('TURN Allocate timed out')),
    );
    expect(turn.echo!.summary).toBe(
      'direct: MOS 4.4, loss 0.0 %; through relay: failed (TURN Allocate timed out)',
    );
    expect(turn.findings.map((f) => f.id)).toEqual(['relay-unreachable']);
  });

  it('a skipped direct call places no relayed call and says why', async () => {
    const reason = 'UDP is blocked (no STUN answer), so a UDP call cannot work: try --transport tcp or tls';
    const { turn, relays, events } = await relayStep(
      { id: 'call', status: 'skipped', reason },
      undefined,
      () => Promise.resolve(call(200)),
    );
    expect(relays).toEqual([]);
    expect(turn.echo).toBeNull();
    expect(turn.warnings).toEqual([
      `no echo call through the relay: the direct call was skipped (${reason})`,
    ]);
    expect(events).toContainEqual(expect.objectContaining({ step: 'relay: echo', status: 'skipped' }));
  });
});
