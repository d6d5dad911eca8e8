import { z } from 'zod';

/**
 * A TURN relay to send the echo call's media through (RFC 8656): the server, how to reach it, and
 * the credentials (static long-term, or a coturn REST shared secret). Secrets stay in memory only.
 */
export const RelayConfigSchema = z
  .object({
    server: z.string().min(1).max(300),
    transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    username: z.string().min(1).max(256).optional(),
    password: z.string().max(256).optional(),
    secret: z.string().min(1).max(256).optional(),
    realm: z.string().min(1).max(256).optional(),
    tlsCaPem: z.string().max(65536).optional(),
  })
  .strict()
  .refine((r) => r.secret !== undefined || (r.username !== undefined && r.password !== undefined), {
    message: 'relay credentials needed: username and password, or secret',
  });
export type RelayConfig = z.output<typeof RelayConfigSchema>;

/** What a relayed call reports about its relay (no credentials). */
export const RelayUsedSchema = z.object({
  server: z.string(),
  transport: z.enum(['udp', 'tcp', 'tls']),
  relayedRtp: z.string(),
  relayedRtcp: z.string(),
  allocateMs: z.number(),
});
export type RelayUsed = z.infer<typeof RelayUsedSchema>;
