import type { DemoServer } from '../../../shared/contracts/alg.ts';
import { contract, NatScopeError } from '../../../shared/contracts/index.ts';
import { standaloneContext } from '../../services/call-context.ts';
import type { Services } from '../../services/services.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { heading, table } from '../format.ts';
import { printAlgResult } from './alg.ts';

interface DemoStepResult {
  status: 'ok' | 'failed' | 'skipped';
  summary: string;
  result?: unknown;
}

interface DemoStep {
  id: string;
  title: string;
  run(s: Services, demo: DemoServer, signal: AbortSignal, io: CliIo, json: boolean): Promise<DemoStepResult>;
}

/**
 * The wizard's steps as the loopback demo runs them, in order. Adding a step = one entry here.
 * A step whose service does not exist yet (or says not-implemented) is skipped, said plainly.
 */
export const DEMO_STEPS: DemoStep[] = [
  {
    id: 'network',
    title: 'Network',
    async run(s) {
      const snap = await s.network.snapshot();
      return {
        status: 'ok',
        summary: `${snap.interfaces.length} interfaces; primary ${snap.primary?.address ?? 'none'}`,
        result: snap,
      };
    },
  },
  {
    id: 'nat',
    title: 'NAT behaviour',
    async run(s, demo, signal) {
      // inputs go through the contract's schemas, so services get their defaults exactly as from the UI
      const input = contract['nat.discover'].input.parse({
        servers: [`${demo.stun.primary}:${demo.stun.ports[0]}`],
      });
      const r = await s.nat.discover(
        input,
        standaloneContext(() => {}, signal),
      );
      return {
        status: 'ok',
        // Over loopback there is no NAT to find: say what was measured, never "no NAT".
        summary: `mapping ${r.mapping ?? '?'}, filtering ${r.filtering ?? '?'} (loopback: says nothing about your NAT)`,
        result: r,
      };
    },
  },
  {
    id: 'router',
    title: 'Router (simulated)',
    async run(s, demo, signal) {
      if (!demo.router) return { status: 'skipped', summary: 'the simulated router could not start' };
      const input = contract['router.probe'].input.parse({
        gateway: demo.router.gateway,
        igdLocation: demo.router.igdLocation,
      });
      const r = await s.router.probe(
        input,
        standaloneContext(() => {}, signal),
      );
      return {
        status: r.upnp.found ? 'ok' : 'failed',
        summary: `simulated router on ${demo.router.gateway}: UPnP ${r.upnp.found ? 'yes' : 'no'}, NAT-PMP ${r.natpmp.supported ? 'yes' : 'no'}, PCP ${r.pcp.supported ? 'yes' : 'no'}, ${r.upnp.mappings.length} mappings`,
        result: r,
      };
    },
  },
  {
    id: 'alg',
    title: 'SIP ALG',
    async run(s, demo, signal, io, json) {
      const input = contract['alg.test'].input.parse({ reflector: demo.reflector, altPort: demo.altPort });
      const r = await s.alg.test(
        input,
        standaloneContext(() => {}, signal),
      );
      if (!json) printAlgResult(io, r);
      return {
        status: 'ok',
        summary: `${r.algDetected ? 'ALG detected' : 'no ALG'} — ${r.summary}`,
        result: r,
      };
    },
  },
  {
    id: 'call',
    title: 'Echo call',
    async run(s, demo, signal) {
      const input = contract['call.echoTest'].input.parse({
        target: demo.echoUri,
        durationSec: 3,
        localAddress: '127.0.0.1',
      });
      const r = await s.call.echoTest(
        input,
        standaloneContext(() => {}, signal),
      );
      return {
        status: r.answered ? 'ok' : 'failed',
        summary: r.answered ? `answered; ended: ${r.endReason}` : `not answered (${r.endReason})`,
        result: r,
      };
    },
  },
];

export const demoCommand: CliCommand = {
  usage: 'demo [--steps network,nat,router,alg,call] [--keep] [--json]',
  help: [
    'Starts `natscope server` on 127.0.0.2 + 127.0.0.1 and a simulated router (UPnP IGD, NAT-PMP,',
    "PCP) on 127.0.0.3, and runs the wizard's steps against them; nothing leaves loopback. Results are",
    'labelled "loopback demo": they show what each step looks like, not how your network behaves.',
    '',
    'Options:',
    `  --steps LIST  run only these (default: ${DEMO_STEPS.map((s) => s.id).join(',')})`,
    '  --keep        keep the demo server running until Ctrl-C (to point other tools at it)',
  ].join('\n'),
  options: { steps: { type: 'string' }, keep: { type: 'boolean', default: false } },
  async run({ services, io, json, values, signal }) {
    const wanted =
      typeof values.steps === 'string'
        ? values.steps.split(',').map((x) => x.trim())
        : DEMO_STEPS.map((s) => s.id);
    const unknown = wanted.filter((w) => !DEMO_STEPS.some((s) => s.id === w));
    if (unknown.length) throw new NatScopeError('bad-request', `unknown step(s): ${unknown.join(', ')}`);
    const demo = await services.companion.startDemo();
    const steps: ({ id: string; title: string } & DemoStepResult)[] = [];
    try {
      if (!json) {
        io.out(heading('NatScope loopback demo'));
        io.out(
          `Companion server on loopback: STUN ${demo.stun.primary}${demo.stun.alternate ? ` + ${demo.stun.alternate}` : ''} ports ${demo.stun.ports.join('/')}, SIP reflector ${demo.reflector} (+ port ${demo.altPort}), echo ${demo.echoUri}`,
        );
        io.out(
          `Router: ${demo.router ? `simulated, on ${demo.router.gateway}` : 'none (could not start)'}. Nothing leaves loopback: these results show how the steps work, not how your network behaves.`,
        );
      }
      for (const w of demo.warnings) io.err(`warning: ${w}`);
      for (const step of DEMO_STEPS.filter((s) => wanted.includes(s.id))) {
        signal.throwIfAborted();
        io.err(`[loopback demo] ${step.title}…`);
        let r: DemoStepResult;
        try {
          r = await step.run(services, demo, signal, io, json);
        } catch (err) {
          if (signal.aborted) throw err;
          const notBuilt = err instanceof NatScopeError && err.code === 'not-implemented';
          r = {
            status: notBuilt ? 'skipped' : 'failed',
            summary: err instanceof Error ? err.message : String(err),
          };
        }
        steps.push({ id: step.id, title: step.title, ...r });
      }
      if (json) {
        io.out(JSON.stringify({ label: 'loopback demo', server: demo, steps }, null, 2));
      } else {
        io.out(heading('Loopback demo — summary'));
        io.out(
          table(
            ['Step', 'Result', 'Summary'],
            steps.map((s) => [
              s.title,
              s.status,
              s.summary.length > 110 ? `${s.summary.slice(0, 110)}…` : s.summary,
            ]),
          ),
        );
      }
      if (values.keep === true) {
        io.err('demo server kept running; Ctrl-C stops it');
        await new Promise<void>((resolve) =>
          signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
    } finally {
      await services.companion.stopDemo();
    }
    return steps.some((s) => s.status === 'failed') ? 1 : 0;
  },
};
