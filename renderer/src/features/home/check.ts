import { ECHO_PRESETS, type CallEchoInput, type SipAccountInput } from '../../../../shared/contracts/call.ts';
import type { MethodInput } from '../../../../shared/contracts/index.ts';
import { hostOfEndpoint } from '../../../../shared/model/endpoint.ts';
import { recordAs } from '../../app/session/record.ts';
import type { SessionStore } from '../../app/session/store.ts';
import { echoController } from '../echo/echo-controller.ts';
import { EMPTY_ECHO_FORM, type EchoForm } from '../echo/EchoSettings.tsx';

/** What one "Check my connection" run does; built from the defaults, the demo or the advanced inputs. */
export interface CheckPlan {
  stunServers: string[];
  /** A `natscope server` for the conclusive SIP ALG test; null = heuristics via the first STUN server. */
  reflector: string | null;
  /** The reflector's second (non-5060) SIP port, when it is not 5062 (the demo picks its own). */
  algAltPort?: number;
  echoUri: string;
  account?: SipAccountInput;
  /** Where the router is (the demo's simulated one); null skips the router step, with `routerSkip` as the reason. */
  router: MethodInput<'router.probe'> | null;
  routerSkip?: string;
  /** Local address for the echo call (the demo binds loopback). */
  callLocalAddress?: string;
  callSeconds: number;
}

export interface CheckState {
  status: 'idle' | 'running' | 'done' | 'cancelled';
  startedAt: number | null;
  finishedAt: number | null;
  /** Steps the check did not run, with the reason (shown on the verdict page). */
  skipped: Record<string, string>;
}

/** Session slice of the check's own state. */
export const CHECK = 'check';
export const IDLE_CHECK: CheckState = { status: 'idle', startedAt: null, finishedAt: null, skipped: {} };

/** Run keys the check uses; each is also the key its step uses, so the steps show the check's runs live. */
const KEYS = ['network', 'nat', 'router', 'path', 'alg'] as const;

/**
 * Runs every area with the plan's inputs, as fast as the measurements allow: the network snapshot,
 * NAT discovery and the read-only router probe at once; then SIP ALG and the echo call (after NAT,
 * because both may use local port 5060 and need to know whether UDP gets out at all).
 */
export async function runCheck(store: SessionStore, plan: CheckPlan): Promise<void> {
  const skipped: Record<string, string> = {};
  const set = (patch: Partial<CheckState>) =>
    store.setSlice<CheckState>(CHECK, (s) => ({ ...(s ?? IDLE_CHECK), ...patch }));
  set({ status: 'running', startedAt: Date.now(), finishedAt: null, skipped });
  showInputsInSteps(store, plan);
  const skip = (id: string, reason: string) => {
    skipped[id] = reason;
    set({ skipped: { ...skipped } });
  };

  const network = store.start('network', 'network.snapshot', {}, { record: recordAs('network') });
  const router = plan.router
    ? store.start('router', 'router.probe', plan.router, { record: recordAs('router') })
    : skip('router', plan.routerSkip ?? 'skipped');
  const nat = plan.stunServers.length
    ? await store.start('nat', 'nat.discover', { servers: plan.stunServers }, { record: recordAs('nat') })
    : skip('nat', 'no STUN server given');
  if (store.slice<CheckState>(CHECK, IDLE_CHECK).status !== 'running') return; // cancelled meanwhile

  // A hop in 100.64/10 on the way to the STUN server shows a carrier-grade NAT.
  const stunAddress = nat?.servers.find((s) => s.address)?.address;
  const path = stunAddress
    ? store.start(
        'path',
        'network.hops',
        { target: hostOfEndpoint(stunAddress) },
        { record: recordAs('path') },
      )
    : null;
  const alg = plan.reflector
    ? store.start(
        'alg',
        'alg.test',
        { reflector: plan.reflector, ...(plan.algAltPort ? { altPort: plan.algAltPort } : {}) },
        { record: recordAs('alg') },
      )
    : plan.stunServers[0]
      ? store.start('alg', 'alg.test', { stunServer: plan.stunServers[0] }, { record: recordAs('alg') })
      : skip('alg', 'no reflector or STUN server given');
  const call =
    nat?.udpBlocked === true
      ? skip('echo', `UDP is blocked (${nat.udpEvidence ?? 'no STUN answer'}), so a UDP call cannot work`)
      : echoController(store).start(callInput(plan), {
          microphone: false,
          hear: false,
          muted: true,
          secrets: plan.account?.password ? [plan.account.password] : undefined,
        });
  await Promise.all([network, router, path, alg, call]);
  if (store.slice<CheckState>(CHECK, IDLE_CHECK).status === 'running')
    set({ status: 'done', finishedAt: Date.now() });
}

/**
 * The steps' forms show what the check ran with (the host's STUN servers, its reflector, its echo
 * service), so a step run again from its own button repeats the check's measurement, not another.
 */
function showInputsInSteps(store: SessionStore, plan: CheckPlan): void {
  if (plan.stunServers.length) store.setSlice('nat.servers', () => plan.stunServers.join('\n'));
  if (plan.reflector) store.setSlice('alg.reflector', () => plan.reflector!);
  else if (plan.stunServers[0]) store.setSlice('alg.stunServer', () => plan.stunServers[0]!);
  const preset = ECHO_PRESETS.find((p) => p.uri === plan.echoUri);
  store.setSlice<EchoForm>('echo.form', (f) => ({
    ...(f ?? EMPTY_ECHO_FORM),
    preset: preset?.id ?? 'custom',
    customUri: preset ? '' : plan.echoUri,
    ...(plan.account
      ? {
          useAccount: true,
          account: {
            registrar: plan.account.registrar,
            user: plan.account.username,
            password: plan.account.password,
          },
        }
      : {}),
  }));
}

function callInput(plan: CheckPlan): CallEchoInput {
  return {
    target: plan.echoUri,
    durationSec: plan.callSeconds,
    ...(plan.account ? { account: plan.account } : {}),
    ...(plan.callLocalAddress ? { localAddress: plan.callLocalAddress } : {}),
  };
}

/** Stops a running check: every probe it started, and its call. */
export function cancelCheck(store: SessionStore): void {
  store.setSlice<CheckState>(CHECK, (s) => ({
    ...(s ?? IDLE_CHECK),
    status: 'cancelled',
    finishedAt: Date.now(),
  }));
  for (const k of KEYS) store.cancel(k);
  echoController(store).hangUp();
}
