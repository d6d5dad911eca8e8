import type { AppInfo, CheckDefaults } from '../../shared/contracts/app.ts';
import { ECHO_PRESETS } from '../../shared/contracts/call.ts';
import { defaultDiscoveryServers } from '../../shared/model/nat-servers.ts';
import { APP_VERSION } from '../version.ts';

export type HostKind = AppInfo['host'];

/** What a host may set instead of the built-in "Check my connection" defaults. */
export interface CheckDefaultsOverride {
  stunServers?: string[];
  echoUri?: string;
  reflector?: string;
}

/** The overrides from NATSCOPE_STUN_SERVERS (comma-separated), NATSCOPE_ECHO_URI and NATSCOPE_REFLECTOR. */
export function checkDefaultsFromEnv(env: Record<string, string | undefined>): CheckDefaultsOverride {
  const stun = (env.NATSCOPE_STUN_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ...(stun.length ? { stunServers: stun } : {}),
    ...(env.NATSCOPE_ECHO_URI?.trim() ? { echoUri: env.NATSCOPE_ECHO_URI.trim() } : {}),
    ...(env.NATSCOPE_REFLECTOR?.trim() ? { reflector: env.NATSCOPE_REFLECTOR.trim() } : {}),
  };
}

export function createAppService(host: HostKind, override: CheckDefaultsOverride = {}) {
  const configured = Object.keys(override).length > 0;
  const defaults: CheckDefaults = {
    stunServers: override.stunServers?.length ? override.stunServers : defaultDiscoveryServers(),
    echoUri: override.echoUri ?? ECHO_PRESETS[0].uri,
    reflector: override.reflector ?? null,
    source: configured ? 'configured' : 'built-in',
  };
  return {
    async info(): Promise<AppInfo> {
      return {
        name: 'NatScope',
        version: APP_VERSION,
        host,
        platform: `${process.platform}-${process.arch}`,
        nodeVersion: process.versions.node,
        electronVersion: process.versions.electron ?? null,
      };
    },
    async checkDefaults(): Promise<CheckDefaults> {
      return structuredClone(defaults);
    },
  };
}
