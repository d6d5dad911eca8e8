// npm run lab -- up <variant> [--hairpin on|off] [--alg on|off] [--loss N] [--upnp on|off|natpmp-only] [--secure on|off]
// npm run lab -- down [--all]        remove manual labs and stale labs of killed runs (--all: every lab)
// npm run lab -- list                show labs, namespaces and addresses
// npm run lab -- exec <host> -- cmd  run a command in a host's namespace of the (single) manual lab
// npm run lab -- variants            show the variant table
import { spawnSync } from 'node:child_process';

import {
  cleanupStaleLabs,
  describeLab,
  listLabNamespaces,
  loadManualLabs,
  removeNamespaces,
  startLab,
} from './lab.ts';
import type { LabOptions } from './lab.ts';
import { VARIANTS, VARIANT_NAMES, isVariantName } from './variants.ts';
import { HOSTS } from './topology.ts';
import type { HostName } from './topology.ts';
import { labSupport } from './support.ts';

function usage(code = 64): never {
  process.stderr.write(
    `usage: lab up <variant> [--hairpin on|off] [--alg on|off] [--loss N] [--upnp on|off|natpmp-only] [--secure on|off]\n` +
      `       lab down [--all] | lab list | lab variants | lab exec <host> -- <cmd...>\n` +
      `variants: ${VARIANT_NAMES.join(', ')}\nhosts: ${HOSTS.join(', ')}\n`,
  );
  process.exit(code);
}

const onOff = (v: string | undefined, flag: string): boolean => {
  if (v === 'on' || v === 'yes' || v === 'true') return true;
  if (v === 'off' || v === 'no' || v === 'false') return false;
  process.stderr.write(`${flag} expects on|off\n`);
  return usage();
};

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === undefined || cmd === '-h' || cmd === '--help') usage(cmd === undefined ? 64 : 0);
  if (cmd === 'variants') {
    for (const n of VARIANT_NAMES) {
      process.stdout.write(
        `${n.padEnd(16)} ${JSON.stringify(VARIANTS[n].expected)}\n  ${VARIANTS[n].description}\n`,
      );
    }
    return;
  }
  const support = labSupport();
  if (!support.ok) {
    process.stderr.write(`lab: ${support.reason}\n`);
    process.exit(1);
  }
  switch (cmd) {
    case 'up': {
      const variant = rest[0];
      if (variant === undefined || !isVariantName(variant)) usage();
      const o: LabOptions = { manual: true };
      let upnp: LabOptions['upnp'] = false;
      let secure = false;
      for (let i = 1; i < rest.length; i += 2) {
        const k = rest[i];
        const v = rest[i + 1];
        if (k === '--hairpin') o.hairpin = onOff(v, k);
        else if (k === '--alg') o.alg = onOff(v, k);
        else if (k === '--loss') o.lossPercent = Number(v);
        else if (k === '--upnp') upnp = v === 'natpmp-only' ? { natpmpOnly: true } : onOff(v, k);
        else if (k === '--secure') secure = onOff(v, k);
        else usage();
      }
      if (secure) upnp = { ...(typeof upnp === 'object' ? upnp : {}), secureMode: true };
      if (upnp !== false) o.upnp = upnp;
      const existing = loadManualLabs();
      if (existing.length > 0) {
        process.stderr.write(
          `a manual lab is already up (${existing.map((s) => s.id).join(', ')}); run: npm run lab -- down\n`,
        );
        process.exit(1);
      }
      const lab = await startLab(variant, o);
      process.stdout.write(`${lab.describe()}\nup in ${lab.startupMs} ms. Try:\n`);
      process.stdout.write(
        `  npm run lab -- exec client -- stun ${lab.addr.serverPrimary}:${lab.ports.stund}\n`,
      );
      process.stdout.write(
        `  npm run lab -- exec client -- turnutils_natdiscovery -m -f ${lab.addr.serverPrimary}\n`,
      );
      process.stdout.write(`  ip netns exec ${lab.nsOf('router')} nft list ruleset\n`);
      // Peers are detached; exit without tearing down.
      process.exit(0);
      break;
    }
    case 'down': {
      const all = rest.includes('--all');
      const manual = loadManualLabs();
      const names = manual.flatMap((s) => Object.values(s.ns).filter((n): n is string => n !== undefined));
      removeNamespaces(names, true);
      const stale = cleanupStaleLabs(all);
      // manual-lab namespaces without a state file (pid 0)
      const orphans = listLabNamespaces().filter((n) => n.startsWith('nslab-0-'));
      removeNamespaces(orphans, true);
      const removed = [...new Set([...names, ...stale, ...orphans])];
      process.stdout.write(removed.length ? `removed: ${removed.join(' ')}\n` : 'nothing to remove\n');
      const left = listLabNamespaces();
      if (left.length) process.stdout.write(`still running (labs of live test runs): ${left.join(' ')}\n`);
      break;
    }
    case 'list': {
      const manual = loadManualLabs();
      for (const s of manual) process.stdout.write(`${describeLab(s)}\n\n`);
      const known = new Set(manual.flatMap((s) => Object.values(s.ns)));
      const others = listLabNamespaces().filter((n) => !known.has(n));
      if (others.length)
        process.stdout.write(`other lab namespaces (test runs):\n  ${others.join('\n  ')}\n`);
      if (!manual.length && !others.length) process.stdout.write('no labs\n');
      break;
    }
    case 'exec': {
      const host = rest[0];
      const sep = rest.indexOf('--');
      const argv = sep >= 0 ? rest.slice(sep + 1) : rest.slice(1);
      if (host === undefined || !(HOSTS as readonly string[]).includes(host) || argv.length === 0) usage();
      const manual = loadManualLabs();
      const s = manual[0];
      if (s === undefined) {
        process.stderr.write('no manual lab is up: npm run lab -- up <variant>\n');
        process.exit(1);
      }
      const ns = s.ns[host as HostName];
      if (ns === undefined) {
        process.stderr.write(`host ${host} does not exist in variant ${s.variant}\n`);
        process.exit(1);
      }
      const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { stdio: 'inherit' });
      process.exit(r.status ?? 1);
      break;
    }
    default:
      usage();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
