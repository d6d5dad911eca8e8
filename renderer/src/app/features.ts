import type { Feature } from './registry.ts';
import { algFeature } from '../features/alg/feature.tsx';
import { echoFeature } from '../features/echo/feature.tsx';
import { homeFeature } from '../features/home/feature.ts';
import { natFeature } from '../features/nat/feature.tsx';
import { networkFeature } from '../features/network/feature.ts';
import { reportFeature } from '../features/report/feature.ts';
import { routerFeature } from '../features/router/feature.tsx';
import { relayFeature } from '../features/relay/feature.tsx';
import { webrtcFeature } from '../features/webrtc/feature.tsx';
import { monitorFeature } from '../features/monitor/feature.tsx';
import { incomingFeature } from '../features/incoming/feature.tsx';

/**
 * Every UI feature, one line each. A new feature (a step, a card in another step's slot, a row on
 * the verdict page) exports a `Feature` from its folder and is added here; see app/registry.ts.
 */
export const FEATURES: Feature[] = [
  homeFeature,
  networkFeature,
  natFeature,
  routerFeature,
  algFeature,
  echoFeature,
  relayFeature,
  webrtcFeature,
  monitorFeature,
  incomingFeature,
  reportFeature,
];
