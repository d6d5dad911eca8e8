import { z } from 'zod';
import { ERROR_CODES, type WireError } from './errors.ts';

export const WireErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    detail: z.unknown().optional(),
  }),
});
// The schema and the hand-written type in errors.ts must describe the same document.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const wireErrorTypeMatches: Same<z.infer<typeof WireErrorSchema>, WireError> = true;
void wireErrorTypeMatches;

/**
 * The envelope every front door speaks (Electron IPC and web-mode WebSocket). A call is
 * `request` → any number of `event`s (progress, live stats) → exactly one `result` or `error`.
 * `cancel` aborts a running call; the call then ends with error code "cancelled".
 */
export const RequestFrame = z.object({
  type: z.literal('request'),
  id: z.string().min(1).max(64),
  method: z.string().min(1).max(100),
  input: z.unknown(),
});
export const CancelFrame = z.object({ type: z.literal('cancel'), id: z.string().min(1).max(64) });
export const ClientFrame = z.discriminatedUnion('type', [RequestFrame, CancelFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export const ResultFrame = z.object({ type: z.literal('result'), id: z.string(), output: z.unknown() });
export const ErrorFrame = z
  .object({ type: z.literal('error'), id: z.string() })
  .extend(WireErrorSchema.shape);
export const EventFrame = z.object({ type: z.literal('event'), id: z.string(), event: z.unknown() });
export const ServerFrame = z.discriminatedUnion('type', [ResultFrame, ErrorFrame, EventFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;
