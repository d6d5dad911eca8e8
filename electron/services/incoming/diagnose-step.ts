/**
 * The diagnosis's inbound-call step (`diagnose --reflector HOST --incoming`): the inbound-call test
 * against the reflector (a `natscope server` calls back). Opt-in, because it waits out its idle
 * times (about two minutes by default). Each idle time is reported as it resolves, so the step is
 * not silent for minutes.
 */
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import {
  IncomingInputSchema,
  type IncomingEvent,
  type IncomingResult,
} from '../../../shared/contracts/incoming.ts';
import type { DiagnoseInputSchema } from '../../../shared/contracts/report.ts';
import type { StepResults } from '../../../shared/model/diagnosis/from-results.ts';
import type { StepOutcome } from '../../../shared/model/report/report.ts';
import type { z } from 'zod';
import type { CallContext } from '../call-context.ts';

type Input = z.output<typeof DiagnoseInputSchema>;
type IncomingService = {
  test(i: z.output<typeof IncomingInputSchema>, c: CallContext<IncomingEvent>): Promise<IncomingResult>;
};

function skipReason(input: Input, udpBlocked: boolean): string | null {
  if (!input.incoming)
    return 'opt-in (--incoming): it takes about the longest idle time, 2 minutes by default';
  if (!input.reflector) return 'needs a natscope server to call back: give --reflector';
  if (udpBlocked && input.transport === 'tls') return 'UDP is blocked and the natscope server has no TLS';
  return null;
}

export async function runIncomingStep(
  input: Input,
  results: StepResults,
  steps: StepOutcome[],
  ctx: CallContext<ProgressEvent>,
  deps: { incoming: IncomingService },
): Promise<void> {
  const udpBlocked = results.nat?.udpBlocked === true;
  const skip = skipReason(input, udpBlocked);
  if (skip) {
    steps.push({ id: 'incoming', status: 'skipped', reason: skip });
    ctx.emit({ kind: 'progress', step: 'incoming', status: 'skipped', message: skip });
    return;
  }
  if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
  ctx.emit({ kind: 'progress', step: 'incoming', status: 'started' });
  const t0 = performance.now();
  try {
    results.incoming = await deps.incoming.test(
      IncomingInputSchema.parse({
        server: input.reflector,
        // with UDP blocked only a connection can be called back
        transport: udpBlocked || input.transport === 'tcp' ? 'tcp' : 'udp',
        idleSeconds: input.incomingIdleSeconds,
      }),
      {
        signal: ctx.signal,
        emit: (e) => {
          if (e.kind !== 'test' || e.state === 'registering' || e.state === 'idle') return;
          const status = e.state === 'arrived' ? 'done' : e.state === 'cancelled' ? 'skipped' : 'failed';
          ctx.emit({ kind: 'progress', step: `incoming: ${e.id}`, status, message: e.detail });
        },
      },
    );
    steps.push({ id: 'incoming', status: 'done', durationMs: Math.round(performance.now() - t0) });
    ctx.emit({ kind: 'progress', step: 'incoming', status: 'done' });
  } catch (err) {
    if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
    const reason = err instanceof Error ? err.message : String(err);
    steps.push({ id: 'incoming', status: 'failed', reason, durationMs: Math.round(performance.now() - t0) });
    ctx.emit({ kind: 'progress', step: 'incoming', status: 'failed', message: reason });
  }
}
