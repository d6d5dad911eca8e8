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

export const appMethods = {
  'app.info': { input: z.object({}).strict(), output: AppInfoSchema, event: z.never() },
};
