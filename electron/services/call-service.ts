/**
 * The echo test service: register (optional), call an echo service, send the marker test signal
 * over RTP, measure what comes back, hang up and explain what failed. The call runs as a pipeline
 * of units in ./call/ (set-up → signaling → media → analysis, composed by call/echo-test.ts);
 * this file is the service's API: input validation and the external-audio queue.
 */
import {
  type CallEchoInput,
  CallEchoInputSchema,
  type CallEvent,
  type CallResult,
} from '../../shared/contracts/call.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import type { QueuedAudioSource } from '../engine/rtp/audio-source.ts';
import type { CallContext } from './call-context.ts';
import { runEchoTest } from './call/echo-test.ts';
import type { CallServiceDeps } from './call/setup.ts';

export type { CallServiceDeps } from './call/setup.ts';

export function createCallService(deps: CallServiceDeps) {
  const externalSources = new Map<string, QueuedAudioSource>();
  return {
    echoTest(input: CallEchoInput, ctx: CallContext<CallEvent>): Promise<CallResult> {
      const parsed = CallEchoInputSchema.parse(input);
      return runEchoTest(parsed, ctx, deps, externalSources);
    },
    async pushAudio(input: { callId: string; frames: string[] }): Promise<{ accepted: number }> {
      const src = externalSources.get(input.callId);
      if (!src)
        throw new NatScopeError(
          'bad-request',
          `no running echo test with callId ${input.callId} takes external audio`,
        );
      let n = 0;
      for (const f of input.frames) {
        const bytes = Uint8Array.from(atob(f), (c) => c.charCodeAt(0));
        if (bytes.length !== 160)
          throw new NatScopeError('bad-request', 'each frame must be 160 bytes of G.711 (20 ms)');
        src.push(bytes);
        n++;
      }
      return { accepted: n };
    },
  };
}
