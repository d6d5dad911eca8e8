import { z } from 'zod';
import { hostPortProblem, sipUriProblem } from '../model/input-checks.ts';

/** A zod refinement from a check that returns what is wrong with a value (null = fine). */
function checked(problem: (s: string) => string | null) {
  return (s: string, ctx: z.RefinementCtx) => {
    const p = problem(s);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  };
}

/** "host", "host:port", "[v6]:port" or a bare IPv6 address, with a port from 1 to 65535. */
export const HostPortSchema = z.string().min(1).max(300).superRefine(checked(hostPortProblem));

/** A sip:/sips: URI with a host, a real port if any, and a known `;transport=`. */
export const SipUriSchema = z.string().max(512).superRefine(checked(sipUriProblem));

export const AddressClassSchema = z.enum([
  'loopback',
  'link-local',
  'private',
  'cgnat',
  'ula',
  'documentation',
  'multicast',
  'unspecified',
  'public',
]);

/** Progress of a long-running step, streamed as call events. */
export const ProgressEventSchema = z.object({
  kind: z.literal('progress'),
  step: z.string(),
  status: z.enum(['started', 'done', 'failed', 'skipped']),
  message: z.string().optional(),
});
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
