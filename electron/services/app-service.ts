import type { AppInfo } from '../../shared/contracts/app.ts';
import { APP_VERSION } from '../version.ts';

export type HostKind = AppInfo['host'];

export function createAppService(host: HostKind) {
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
  };
}
