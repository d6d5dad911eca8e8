/**
 * The diagnosis's relay step (`diagnose --turn-server`): the TURN test, run after the NAT step so
 * its candidates are judged against the measured mapping and filtering. A failed allocation is a
 * result (relay-unreachable), not a failed step; only bad input or a crash fails the step.
 */
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { DiagnoseInputSchema } from '../../../shared/contracts/report.ts';
import type { TurnEvent, TurnReport, TurnTestInput } from '../../../shared/contracts/turn.ts';
import type { StepResults } from '../../../shared/model/diagnosis/from-results.ts';
import { natFactsOf } from '../../../shared/model/candidates.ts';
import type { StepOutcome } from '../../../shared/model/report/report.ts';
import type { z } from 'zod';
import type { CallContext } from '../call-context.ts';

type Input = z.output<typeof DiagnoseInputSchema>;

export async function runRelayStep(
  input: Input,
  results: StepResults,
  steps: StepOutcome[],
  ctx: CallContext<ProgressEvent>,
  deps: { turn: { test(i: TurnTestInput, c: CallContext<TurnEvent>): Promise<TurnReport> } },
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
    steps.push({ id: 'relay', status: 'done', durationMs: Math.round(performance.now() - t0) });
    ctx.emit({ kind: 'progress', step: 'relay', status: 'done' });
  } catch (err) {
    if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
    const reason = err instanceof Error ? err.message : String(err);
    steps.push({ id: 'relay', status: 'failed', reason, durationMs: Math.round(performance.now() - t0) });
    ctx.emit({ kind: 'progress', step: 'relay', status: 'failed', message: reason });
  }
}
