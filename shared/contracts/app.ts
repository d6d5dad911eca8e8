import { z } from 'zod';

export const AppInfoSchema = z.object({
  name: z.literal('NatScope'),
  version: z.string(),
  /** Which front door is serving: the desktop app, the web host, or the CLI. */
  host: z.enum(['electron', 'web', 'cli']),
  platform: z.string(),
  nodeVersion: z.string(),
  electronVersion: z.string().nullable(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/**
 * What "Check my connection" uses when the user names nothing: NatScope's built-in public STUN
 * servers and FreeSWITCH's echo, or what the host was started with (`natscope serve --stun-server
 * … --reflector … --echo-uri …`, or NATSCOPE_STUN_SERVERS / NATSCOPE_REFLECTOR / NATSCOPE_ECHO_URI).
 */
export const CheckDefaultsSchema = z.object({
  stunServers: z.array(z.string()),
  echoUri: z.string(),
  /** A `natscope server` to test SIP ALG against (conclusive); null = heuristics via the STUN server. */
  reflector: z.string().nullable(),
  source: z.enum(['built-in', 'configured']),
});
export type CheckDefaults = z.infer<typeof CheckDefaultsSchema>;

export const appMethods = {
  'app.info': { input: z.object({}).strict(), output: AppInfoSchema, event: z.never() },
  'app.checkDefaults': { input: z.object({}).strict(), output: CheckDefaultsSchema, event: z.never() },
};
