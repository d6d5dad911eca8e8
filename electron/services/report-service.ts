import { hostOfEndpoint } from '../../shared/model/endpoint.ts';
import type { z } from 'zod';
import type { AppInfo } from '../../shared/contracts/app.ts';
import type { AlgResult } from '../../shared/contracts/alg.ts';
import type { CallResult } from '../../shared/contracts/call.ts';
import type { ProgressEvent } from '../../shared/contracts/common.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { contract } from '../../shared/contracts/index.ts';
import type { NatReport } from '../../shared/contracts/nat.ts';
import type { Hops, NetworkSnapshot } from '../../shared/contracts/network.ts';
import type {
  DiagnoseInputSchema,
  MaskOptionsSchema,
  ReportBuildInputSchema,
} from '../../shared/contracts/report.ts';
import type { RouterReport } from '../../shared/contracts/router.ts';
import type { TurnEvent, TurnReport, TurnTestInput } from '../../shared/contracts/turn.ts';
import {
  factsFromResults,
  sectionsFromResults,
  type StepResults,
} from '../../shared/model/diagnosis/from-results.ts';
import { diagnose } from '../../shared/model/diagnosis/rules.ts';
import { defaultDiscoveryServers } from '../../shared/model/nat-servers.ts';
import { redactReport } from '../../shared/model/report/build.ts';
import { monitorSection } from '../../shared/model/report/monitor-section.ts';
import type { MonitorHistory } from '../../shared/contracts/monitor.ts';
import { REPORT_SCHEMA_VERSION, type Report, type StepOutcome } from '../../shared/model/report/report.ts';
import type { CallContext } from './call-context.ts';
import type { SessionResults } from './session-results.ts';
import { runIncomingStep } from './incoming/diagnose-step.ts';
import { runRelayStep } from './turn/relay-step.ts';

type In<M extends keyof typeof contract> = z.output<(typeof contract)[M]['input']>;

/** The services `diagnose.run` drives, in the order it drives them. */
export interface DiagnoseDeps {
  app: { info(): Promise<AppInfo> };
  network: { snapshot(): Promise<NetworkSnapshot>; hops(input: { target: string }): Promise<Hops> };
  nat: { discover(input: In<'nat.discover'>, ctx: CallContext<never>): Promise<NatReport> };
  router: { probe(input: In<'router.probe'>, ctx: CallContext<ProgressEvent>): Promise<RouterReport> };
  alg: { test(input: In<'alg.test'>, ctx: CallContext<never>): Promise<AlgResult> };
  call: { echoTest(input: In<'call.echoTest'>, ctx: CallContext<never>): Promise<CallResult> };
  turn: { test(input: TurnTestInput, ctx: CallContext<TurnEvent>): Promise<TurnReport> };
  incoming: Parameters<typeof runIncomingStep>[4]['incoming'];
  /** Renders HTML to PDF; only the desktop app has one (Electron's printToPDF). */
  pdf?: (html: string) => Promise<Uint8Array>;
  /** The latest step results the front doors ran, for `report.build`'s `fromHost`. */
  session?: SessionResults;
  /** A monitor history (default: the host's default file), for the report's timeline page. */
  monitorHistory?: (file?: string) => Promise<MonitorHistory>;
}

type Mask = z.output<typeof MaskOptionsSchema> | undefined;

/** Services take parsed inputs (defaults filled in), exactly as the dispatcher would hand them over. */
function withDefaults<M extends 'nat.discover' | 'router.probe' | 'alg.test' | 'call.echoTest'>(
  method: M,
  input: z.input<(typeof contract)[M]['input']>,
): z.output<(typeof contract)[M]['input']> {
  return contract[method].input.parse(input) as z.output<(typeof contract)[M]['input']>;
}

export function createReportService(deps: DiagnoseDeps) {
  async function assemble(
    results: StepResults,
    steps: StepOutcome[],
    secrets: string[],
    mask: Mask,
    loopbackDemo = false,
    monitor?: MonitorHistory,
  ): Promise<Report> {
    const info = await deps.app.info();
    const report: Report = {
      schema: 'natscope-report',
      schemaVersion: REPORT_SCHEMA_VERSION,
      generatedAt: new Date().toISOString(),
      app: {
        name: 'NatScope',
        version: info.version,
        platform: info.platform,
        node: info.nodeVersion,
        electron: info.electronVersion,
      },
      redaction: { secrets: true, publicIps: false, usernames: false, hostnames: false },
      ...(loopbackDemo ? { loopbackDemo: true as const } : {}),
      steps,
      findings: diagnose(factsFromResults(results)),
      ...sectionsFromResults(results),
      ...(monitor?.exists ? { monitor: monitorSection(monitor) } : {}),
    };
    return redactReport(report, {
      secrets,
      maskPublicIps: mask?.publicIps ?? false,
      usernames: mask?.usernames ?? [],
      hostnames: mask?.hostnames ?? [],
    });
  }

  return {
    /** A report from the results the wizard already has; steps it lacks are listed as skipped. */
    async build(input: z.output<typeof ReportBuildInputSchema>): Promise<Report> {
      const { secrets, mask, callSamples, fromHost, loopbackDemo, monitorHistory, ...given } = input;
      const order = ['network', 'nat', 'router', 'alg', 'call', 'incoming'] as const;
      const results: StepResults = { ...given, callSamples };
      const steps: StepOutcome[] = order.map((id) => {
        if (!results[id] && fromHost.includes(id))
          (results as Record<string, unknown>)[id] = deps.session?.get(id);
        if (results[id]) return { id, status: 'done' };
        return {
          id,
          status: 'skipped',
          reason: fromHost.includes(id)
            ? 'this host no longer has the result (restarted?): run the step again'
            : 'not run in this session',
        };
      });
      if (!results.turn && fromHost.includes('turn')) results.turn = deps.session?.get('turn');
      steps.push(
        results.turn
          ? { id: 'relay', status: 'done' }
          : { id: 'relay', status: 'skipped', reason: 'not run in this session' },
        results.webrtc
          ? { id: 'webrtc', status: 'done' }
          : { id: 'webrtc', status: 'skipped', reason: 'the WebRTC echo was not run in this session' },
      );
      const monitor = monitorHistory ? await deps.monitorHistory?.() : undefined;
      return assemble(results, steps, secrets, mask, loopbackDemo, monitor);
    },

    /** Runs every step whose inputs are present, in sequence, with one progress stream. */
    /** `monitorHistoryPath` (CLI only, never from a page): a history file to add as the timeline page. */
    async run(
      input: z.output<typeof DiagnoseInputSchema>,
      ctx: CallContext<ProgressEvent>,
      opts: { monitorHistoryPath?: string } = {},
    ): Promise<Report> {
      const results: StepResults = {};
      const steps: StepOutcome[] = [];
      const quiet: CallContext<never> = { signal: ctx.signal, emit: () => {} };
      const step = async <K extends keyof StepResults>(
        id: StepOutcome['id'] & K,
        skipReason: string | null,
        fn: () => Promise<NonNullable<StepResults[K]>>,
      ) => {
        if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
        if (skipReason) {
          steps.push({ id, status: 'skipped', reason: skipReason });
          ctx.emit({ kind: 'progress', step: id, status: 'skipped', message: skipReason });
          return;
        }
        ctx.emit({ kind: 'progress', step: id, status: 'started' });
        const t0 = performance.now();
        try {
          (results as Record<string, unknown>)[id] = await fn();
          steps.push({ id, status: 'done', durationMs: Math.round(performance.now() - t0) });
          ctx.emit({ kind: 'progress', step: id, status: 'done' });
        } catch (err) {
          if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'diagnosis cancelled');
          const reason = err instanceof Error ? err.message : String(err);
          steps.push({ id, status: 'failed', reason, durationMs: Math.round(performance.now() - t0) });
          ctx.emit({ kind: 'progress', step: id, status: 'failed', message: reason });
        }
      };
      const account =
        input.registrar && input.user && input.password !== undefined
          ? { registrar: input.registrar, username: input.user, password: input.password }
          : undefined;

      await step('network', null, () => deps.network.snapshot());
      // Like `natscope nat`: without --stun-server, the built-in public RFC 5780 servers.
      const stunServers = input.stunServers.length ? input.stunServers : defaultDiscoveryServers();
      await step('nat', null, () =>
        deps.nat.discover(withDefaults('nat.discover', { servers: stunServers }), quiet),
      );
      // The path towards the STUN server shows a carrier-grade NAT as a 100.64/10 hop.
      const stunAddress = results.nat?.servers.find((s) => s.address)?.address;
      const stunIp = stunAddress ? hostOfEndpoint(stunAddress) : null;
      if (stunIp && !ctx.signal.aborted) results.path = await deps.network.hops({ target: stunIp });
      await step(
        'router',
        input.skipRouter ? 'skipped on request (--no-router, or the loopback demo)' : null,
        () =>
          deps.router.probe(
            withDefaults(
              'router.probe',
              results.nat?.mappedAddress ? { stunMappedAddress: results.nat.mappedAddress } : {},
            ),
            {
              signal: ctx.signal,
              emit: (e) => ctx.emit({ ...e, step: `router: ${e.step}` }),
            },
          ),
      );
      // With UDP blocked, UDP probes can only time out: test what can work instead of waiting.
      const udpBlocked = results.nat?.udpBlocked === true;
      await step('alg', null, () =>
        deps.alg.test(
          withDefaults(
            'alg.test',
            input.reflector
              ? { reflector: input.reflector, ...(udpBlocked ? { transports: ['TCP' as const] } : {}) }
              : { stunServer: stunServers[0] },
          ),
          quiet,
        ),
      );
      const callSkip = !input.echoUri
        ? 'no echo URI given (--echo-uri)'
        : udpBlocked && input.transport === 'udp' && !input.wsUrl
          ? `UDP is blocked (${results.nat?.udpEvidence ?? 'no STUN answer'}), so a UDP call cannot work: try --transport tcp or tls`
          : null;
      const callInput = {
        target: input.echoUri!,
        transport: input.transport,
        wsUrl: input.wsUrl,
        tlsCaPem: input.callCaPem,
        durationSec: input.callSeconds,
        account,
      };
      await step('call', callSkip, () => deps.call.echoTest(withDefaults('call.echoTest', callInput), quiet));
      // The relay step repeats the echo call with its media through the relay, beside the direct one.
      await runRelayStep(input, results, steps, ctx, {
        turn: deps.turn,
        relayedCall: (relay) =>
          deps.call.echoTest(withDefaults('call.echoTest', { ...callInput, relay }), quiet),
      });
      await runIncomingStep(input, results, steps, ctx, deps);
      if (!account) {
        steps.push({
          id: 'registration',
          status: 'skipped',
          reason: 'no --registrar/--user/--password given',
        });
      } else if (!input.echoUri) {
        steps.push({
          id: 'registration',
          status: 'skipped',
          reason: 'registering is part of the echo call: give --echo-uri too',
        });
      } else {
        const reg = results.call?.registration;
        steps.push(
          reg
            ? {
                id: 'registration',
                status: reg.ok ? 'done' : 'failed',
                reason: reg.ok ? undefined : reg.reason,
              }
            : { id: 'registration', status: 'failed', reason: 'the call did not get as far as registering' },
        );
      }
      const secrets = [input.password, input.turnPassword, input.turnSecret].filter((s): s is string => !!s);
      const monitor = opts.monitorHistoryPath
        ? await deps.monitorHistory?.(opts.monitorHistoryPath)
        : undefined;
      return assemble(results, steps, secrets, input.mask, false, monitor);
    },

    async pdf(input: { html: string }): Promise<{ pdfBase64: string }> {
      if (!deps.pdf) {
        throw new NatScopeError(
          'not-supported',
          'PDF export needs the desktop app. In a browser, open the HTML report and use Print → Save as PDF.',
        );
      }
      const bytes = await deps.pdf(input.html);
      return { pdfBase64: Buffer.from(bytes).toString('base64') };
    },
  };
}
