import { createInterface } from 'node:readline/promises';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_LIST_BUDGET_SEC,
  type MappingVia,
} from '../../../shared/contracts/router.ts';
import type { CliCommand, CliContext } from '../command.ts';
import { keyValues, table } from '../format.ts';
import { numberOption } from '../options.ts';
import { mappingsTable, partialNote, printRouterErrorDetail, removeLeftovers } from './router-format.ts';

const VIAS = ['upnp', 'natpmp', 'pcp'] as const;

function str(ctx: CliContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

function int(ctx: CliContext, name: string, min: number, max: number): number | undefined {
  const raw = str(ctx, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new NatScopeError('bad-request', `--${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new NatScopeError('bad-request', `--${name} is required`);
  return v;
}

function via(ctx: CliContext, required: boolean): MappingVia | undefined {
  const v = str(ctx, 'via');
  if (v === undefined) {
    if (required) throw new NatScopeError('bad-request', '--via upnp|natpmp|pcp is required');
    return undefined;
  }
  if (!(VIAS as readonly string[]).includes(v))
    throw new NatScopeError('bad-request', `--via must be upnp, natpmp or pcp, got "${v}"`);
  return v as MappingVia;
}

function protocol(ctx: CliContext): 'udp' | 'tcp' {
  const p = (str(ctx, 'protocol') ?? 'udp').toLowerCase();
  if (p !== 'udp' && p !== 'tcp')
    throw new NatScopeError('bad-request', `--protocol must be udp or tcp, got "${p}"`);
  return p;
}

function target(ctx: CliContext) {
  return { gateway: str(ctx, 'gateway'), igdLocation: str(ctx, 'igd-url') };
}

/** Explicit consent: --yes, or typing "yes" on a terminal. */
async function confirmExposure(ctx: CliContext, what: string): Promise<boolean> {
  if (ctx.values.yes === true) return true;
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `${what}\nThis opens a hole in the router's firewall: anyone on the internet can send to this computer on that port.\nType "yes" to create it: `,
      { signal: ctx.signal },
    );
    return answer.trim().toLowerCase() === 'yes';
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

function waitAbort(signal: AbortSignal, ms: number): Promise<'aborted' | 'elapsed'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve('elapsed');
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve('aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function runAdd(ctx: CliContext): Promise<number> {
  const { services, io, json, signal } = ctx;
  const input = {
    ...target(ctx),
    via: need(via(ctx, true), 'via'),
    protocol: protocol(ctx),
    externalPort: need(int(ctx, 'external-port', 1, 65535), 'external-port'),
    internalPort: need(int(ctx, 'internal-port', 1, 65535), 'internal-port'),
    internalClient: str(ctx, 'internal-client'),
    leaseSeconds: int(ctx, 'lease', 1, 86_400) ?? DEFAULT_LEASE_SECONDS,
    description: str(ctx, 'description'),
    allowPermanent: ctx.values['allow-permanent'] === true,
    anyExternalPort: ctx.values['any-port'] === true,
    keep: ctx.values.keep === true,
  };
  const hold = int(ctx, 'hold', 1, 7 * 86_400);
  const what = `Map ${input.protocol.toUpperCase()} external port ${input.externalPort} → ${input.internalClient ?? 'this computer'}:${input.internalPort} via ${input.via} (lease ${input.leaseSeconds} s${input.keep ? ', kept after exit' : ''}).`;
  if (!(await confirmExposure(ctx, what))) {
    throw new NatScopeError(
      'bad-request',
      'not confirmed: adding a mapping exposes this computer — pass --yes to confirm',
    );
  }
  const add = () =>
    services.router.addMapping({ ...input, confirmExposure: true }, { signal, emit: () => {} });
  let res;
  try {
    res = await add();
  } catch (err) {
    if (!json) printRouterErrorDetail(io, err);
    throw err;
  }
  const m = res.mapping;
  let verify = null;
  if (ctx.values.verify === true) {
    verify = await services.router.verifyMapping(
      {
        protocol: m.protocol,
        externalPort: m.externalPort,
        internalPort: m.internalPort,
        probeHelper: str(ctx, 'probe-helper'),
      },
      signal,
    );
  }
  const holding = !input.keep;
  const doc = { mapping: m, notes: res.notes, verify, holding, holdSeconds: holding ? (hold ?? null) : null };
  if (json) io.out(JSON.stringify(doc, null, 2));
  else {
    io.out(mappingsTable([m]));
    if (verify) io.out(`\nReachability: ${verify.status} — ${verify.detail}`);
    for (const n of res.notes) io.out(`note: ${n}`);
  }
  if (!holding) return 0;
  // Default: hold the mapping while this command runs (renewing its lease at half-life), remove it on exit.
  io.err(
    hold
      ? `Holding the mapping for ${hold} s, then removing it (Ctrl-C removes it now; --keep leaves it for its lease).`
      : 'Holding the mapping until Ctrl-C / SIGTERM, then removing it (use --keep to leave it for its lease, or --hold S).',
  );
  const started = Date.now();
  const renewEvery =
    Math.max(
      1,
      Math.floor((m.leaseSeconds && m.leaseSeconds > 0 ? m.leaseSeconds : input.leaseSeconds) / 2),
    ) * 1000;
  while (true) {
    const left = hold ? hold * 1000 - (Date.now() - started) : Infinity;
    if (left <= 0) break;
    const r = await waitAbort(signal, Math.min(renewEvery, left));
    if (r === 'aborted') break;
    if (hold && Date.now() - started >= hold * 1000) break;
    if (!m.permanent) {
      try {
        await add();
      } catch (err) {
        io.err(`warning: renewing the lease failed: ${(err as Error).message}`);
      }
    }
  }
  return 0;
}

async function runList(ctx: CliContext): Promise<number> {
  const { services, io, json, signal } = ctx;
  const listBudgetSec = numberOption(ctx.values, 'list-budget', 1, 600);
  const res = await services.router.listMappings(
    { ...target(ctx), via: via(ctx, false), ...(listBudgetSec === undefined ? {} : { listBudgetSec }) },
    signal,
  );
  if (json) {
    io.out(JSON.stringify(res, null, 2));
    return 0;
  }
  io.out(mappingsTable(res.mappings));
  if (res.partialReason) io.out(partialNote(res.partialReason));
  if (res.upnpError) io.err(`upnp: ${res.upnpError}`);
  for (const w of res.warnings) io.err(`warning: ${w}`);
  return 0;
}

async function runDelete(ctx: CliContext): Promise<number> {
  const { services, io, json, signal } = ctx;
  let res;
  try {
    res = await services.router.deleteMapping(
      {
        ...target(ctx),
        via: need(via(ctx, true), 'via'),
        protocol: protocol(ctx),
        externalPort: need(int(ctx, 'external-port', 1, 65535), 'external-port'),
        internalPort: int(ctx, 'internal-port', 1, 65535),
        userPicked: ctx.values.force === true,
      },
      signal,
    );
  } catch (err) {
    if (!json) printRouterErrorDetail(io, err);
    throw err;
  }
  if (json) io.out(JSON.stringify(res, null, 2));
  else
    io.out(
      `Deleted${res.createdByNatScope ? ' (created by NatScope)' : ''}.${res.note ? ` ${res.note}` : ''}`,
    );
  return 0;
}

async function runVerify(ctx: CliContext): Promise<number> {
  const { services, io, json, signal } = ctx;
  const res = await services.router.verifyMapping(
    {
      protocol: protocol(ctx),
      externalPort: need(int(ctx, 'external-port', 1, 65535), 'external-port'),
      internalPort: need(int(ctx, 'internal-port', 1, 65535), 'internal-port'),
      probeHelper: str(ctx, 'probe-helper'),
      timeoutMs: int(ctx, 'timeout', 200, 30_000) ?? 3000,
    },
    signal,
  );
  if (json) io.out(JSON.stringify(res, null, 2));
  else
    io.out(
      keyValues([
        ['Status', res.status],
        ['Method', res.method],
        ['Detail', res.detail],
        ['Probed', res.probedEndpoint],
        ['Elapsed', res.elapsedMs === null ? null : `${res.elapsedMs} ms`],
      ]),
    );
  return res.status === 'forwarded' ? 0 : res.status === 'not-forwarded' ? 3 : 0;
}

async function runCleanup(ctx: CliContext): Promise<number> {
  const { services, io, json, signal } = ctx;
  const res = await services.router.cleanupStale(target(ctx), signal);
  if (json) io.out(JSON.stringify(res, null, 2));
  else {
    io.out(
      `Removed ${res.removed.length} leftover mapping(s); ${res.expired} expired ledger entr${res.expired === 1 ? 'y' : 'ies'} dropped.`,
    );
    if (res.failed.length)
      io.out(
        table(
          ['Mapping', 'Error'],
          res.failed.map((f) => [
            `${f.mapping.via} ${f.mapping.protocol}/${f.mapping.externalPort}`,
            f.error,
          ]),
        ),
      );
  }
  return res.failed.length ? 1 : 0;
}

export const mapCommand: CliCommand = {
  usage:
    'map list|add|delete|verify|cleanup [--via upnp|natpmp|pcp] [--protocol udp|tcp] [--external-port N] [--internal-port N] [--lease S] [--json]',
  positionals: true,
  help: [
    'Sub-commands:',
    "  list     the router's UPnP table plus NatScope's own NAT-PMP/PCP mappings (with lease left)",
    '  add      create a mapping; needs --yes (or typing "yes"): it exposes this computer',
    '  delete   remove a mapping NatScope created; --force to remove one it did not create',
    '  verify   send a packet from outside (--probe-helper HOST:PORT) and check it arrives',
    '  cleanup  remove leftovers of a crashed NatScope run now (also done at every start)',
    '',
    'Options:',
    '  --via upnp|natpmp|pcp   protocol to ask the router with',
    '  --protocol udp|tcp      default udp',
    '  --external-port N, --internal-port N',
    `  --lease S               lease in seconds (default ${DEFAULT_LEASE_SECONDS}); every mapping has one`,
    '  --internal-client IP    UPnP only: map to another LAN host (default: this computer)',
    '  --description TEXT      appended to "NatScope <id>" in the router table',
    '  --yes                   confirm that the mapping exposes this computer',
    '  --keep                  add: leave the mapping after exit (bounded by its lease)',
    '  --hold S                add: hold the mapping S seconds, then remove it and exit',
    '  --allow-permanent       add: accept a permanent mapping if the router refuses leases (UPnP 725)',
    '  --any-port              add: accept another external port if the asked one is taken',
    '  --verify                add: check reachability after mapping (needs --probe-helper)',
    '  --probe-helper H:P      NatScope probe helper outside the NAT',
    '  --force                 delete: the mapping was not created by NatScope and you pick it explicitly',
    '  --gateway IP, --igd-url URL',
    `  --list-budget S         list: seconds for reading the router's table (default ${DEFAULT_LIST_BUDGET_SEC}); then partial`,
    '',
    'By default `map add` HOLDS the mapping: it prints it, renews the lease at half-life and removes',
    'the mapping on Ctrl-C / SIGTERM (or after --hold S). With --keep it exits at once and the router',
    'drops the mapping when the lease ends. A SIGKILL leaves at most a leased mapping, which the next',
    'natscope router/map command removes (ledger in $NATSCOPE_STATE_DIR or ~/.local/state/natscope).',
    '',
    'Examples:',
    '  natscope map list',
    '  natscope map add --via upnp --protocol udp --external-port 5060 --internal-port 5060 --yes',
    '  natscope map add --via natpmp --external-port 40000 --internal-port 40000 --keep --lease 300 --yes',
    '  natscope map delete --via upnp --protocol udp --external-port 5060',
  ].join('\n'),
  options: {
    via: { type: 'string' },
    protocol: { type: 'string' },
    'external-port': { type: 'string' },
    'internal-port': { type: 'string' },
    'internal-client': { type: 'string' },
    lease: { type: 'string' },
    description: { type: 'string' },
    yes: { type: 'boolean', short: 'y', default: false },
    keep: { type: 'boolean', default: false },
    hold: { type: 'string' },
    'allow-permanent': { type: 'boolean', default: false },
    'any-port': { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
    'probe-helper': { type: 'string' },
    timeout: { type: 'string' },
    force: { type: 'boolean', default: false },
    gateway: { type: 'string' },
    'igd-url': { type: 'string' },
    'list-budget': { type: 'string' },
  },
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (ctx.positionals.length > 1)
      throw new NatScopeError('bad-request', `unexpected argument "${ctx.positionals[1]}"`);
    try {
      if (sub !== 'cleanup' && sub !== undefined && ['list', 'add', 'delete', 'verify'].includes(sub))
        await removeLeftovers(ctx, target(ctx));
      switch (sub) {
        case 'list':
          return await runList(ctx);
        case 'add':
          return await runAdd(ctx);
        case 'delete':
          return await runDelete(ctx);
        case 'verify':
          return await runVerify(ctx);
        case 'cleanup':
          return await runCleanup(ctx);
        default:
          throw new NatScopeError(
            'bad-request',
            `map: expected list, add, delete, verify or cleanup${sub ? `, got "${sub}"` : ''}`,
          );
      }
    } finally {
      // Ctrl-C / SIGTERM / the end of `map add`: remove every mapping this run created (not --keep ones).
      const r = await ctx.services.router.releaseSession();
      if (r.removed > 0) ctx.io.err(`Removed ${r.removed} mapping(s) created by this run.`);
      for (const f of r.failed) ctx.io.err(`warning: could not remove ${f}`);
    }
  },
};
