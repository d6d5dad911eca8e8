import { z } from 'zod';

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
