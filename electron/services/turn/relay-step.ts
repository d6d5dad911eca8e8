/**
 * The diagnosis's relay step (`diagnose --turn-server`): the TURN test, run after the NAT step so
 * its candidates are judged against the measured mapping and filtering. A failed allocation is a
 * result (relay-unreachable), not a failed step; only bad input or a crash fails the step.
 * With `--echo-uri` too, the echo call is placed again with its media through the relay and shown
 * beside the call step's direct one ("direct: one-way audio; through relay: MOS 4.3"), as
 * `natscope turn --echo-uri` does; the direct call is not repeated.
 */
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { DiagnoseInputSchema } from '../../../shared/contracts/report.ts';
import type { CallResult } from '../../../shared/contracts/call.ts';
import type { RelayConfig } from '../../../shared/contracts/relay-config.ts';
import type { TurnEvent, TurnReport, TurnTestInput } from '../../../shared/contracts/turn.ts';
import { relayRules } from '../../../shared/model/diagnosis/relay-rules.ts';
import type { StepResults } from '../../../shared/model/diagnosis/from-results.ts';
import { natFactsOf } from '../../../shared/model/candidates.ts';
import type { StepOutcome } from '../../../shared/model/report/report.ts';
import type { z } from 'zod';
import type { CallContext } from '../call-context.ts';
import { runEcho, sideBySide } from './relayed-echo.ts';
import { relayFacts } from './turn-service.ts';

type Input = z.output<typeof DiagnoseInputSchema>;

export async function runRelayStep(
  input: Input,
  results: StepResults,
  steps: StepOutcome[],
  ctx: CallContext<ProgressEvent>,
  deps: {
    turn: { test(i: TurnTestInput, c: CallContext<TurnEvent>): Promise<TurnReport> };
    /** The diagnosis's echo call again, with its media through `relay`. */
    relayedCall?: (relay: RelayConfig) => Promise<CallResult>;
  },
): Promise<void> {
  if (!input.turnServer) {
    steps.push({ id: 'relay', status: 'skipped', reason: 'no TURN server given (--turn-server)' });
    return;
  }
  if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
  ctx.emit({ kind: 'progress', step: 'relay', status: 'started' });
  const t0 = performance.now();
  const nat = results.nat;
  try {
    results.turn = await deps.turn.test(
      {
        server: input.turnServer,
        transport: input.turnTransport,
        username: input.turnUser,
        password: input.turnPassword,
        secret: input.turnSecret,
        tlsCaPem: input.turnCaPem,
        nat: nat ? natFactsOf(nat) : undefined,
      },
      {
        signal: ctx.signal,
        emit: (e) =>
          ctx.emit({
            kind: 'progress',
            step: `relay: ${e.step}`,
            status: e.status === 'running' ? 'started' : e.status,
            message: e.summary,
          }),
      },
    );
    if (deps.relayedCall) await addRelayedEcho(input, results, steps, ctx, deps.relayedCall);
    steps.push({ id: 'relay', status: 'done', durationMs: Math.round(performance.now() - t0) });
    ctx.emit({ kind: 'progress', step: 'relay', status: 'done' });
  } catch (err) {
    if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
    const reason = err instanceof Error ? err.message : String(err);
    steps.push({ id: 'relay', status: 'failed', reason, durationMs: Math.round(performance.now() - t0) });
    ctx.emit({ kind: 'progress', step: 'relay', status: 'failed', message: reason });
  }
}

/** The relayed echo call beside the call step's direct one; its verdict joins the relay findings. */
async function addRelayedEcho(
  input: Input,
  results: StepResults,
  steps: StepOutcome[],
  ctx: CallContext<ProgressEvent>,
  relayedCall: (relay: RelayConfig) => Promise<CallResult>,
): Promise<void> {
  const turn = results.turn;
  if (!turn?.allocated || !input.echoUri) return;
  const callStep = steps.find((s) => s.id === 'call');
  if (callStep?.status === 'skipped') {
    const why = `no echo call through the relay: the direct call was skipped (${callStep.reason})`;
    turn.warnings.push(why);
    ctx.emit({ kind: 'progress', step: 'relay: echo', status: 'skipped', message: why });
    return;
  }
  ctx.emit({ kind: 'progress', step: 'relay: echo', status: 'started', message: input.echoUri });
  const relayed = await runEcho(() =>
    relayedCall({
      server: input.turnServer!,
      transport: input.turnTransport,
      username: input.turnUser,
      password: input.turnPassword,
      secret: input.turnSecret,
      tlsCaPem: input.turnCaPem,
    }),
  );
  if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
  const direct = {
    r: results.call ?? null,
    error: callStep?.status === 'failed' ? callStep.reason : undefined,
  };
  turn.echo = sideBySide(input.echoUri, direct, relayed);
  turn.findings = relayRules(relayFacts(turn, results.nat ? natFactsOf(results.nat) : undefined, direct.r));
  const ok = turn.echo.answered && !turn.echo.oneWayAudio;
  ctx.emit({
    kind: 'progress',
    step: 'relay: echo',
    status: ok ? 'done' : 'failed',
    message: turn.echo.summary,
  });
}
