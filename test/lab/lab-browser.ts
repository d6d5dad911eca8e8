// The UI as a user inside the lab meets it: `natscope serve` and Debian's Chromium both run in the
// client's namespace (behind the lab's NAT), so every probe the page starts leaves through the lab
// router, never through this machine's own network. Chromium starts from a fresh profile each time.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';

import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../e2e/chromium-flags.ts';
import { NATSCOPE_CLI, REPO_ROOT, type HostName, type Lab, type Peer } from './lab.ts';
import { waitFor } from './proc.ts';

export interface LabWebMode {
  url: string;
  peer: Peer;
}

/** `natscope serve --json` in a lab host's namespace, with extra flags (the check's defaults); resolves with its URL. */
export async function startLabWebMode(lab: Lab, host: HostName, args: string[]): Promise<LabWebMode> {
  const renderer = join(REPO_ROOT, 'dist', 'renderer', 'index.html');
  if (!existsSync(renderer)) throw new Error(`${renderer} is missing: run \`npm run build\` first`);
  const peer = lab.spawn(host, 'natscope-serve', [
    process.execPath,
    NATSCOPE_CLI,
    'serve',
    '--port',
    '0',
    '--json',
    ...args,
  ]);
  let url = '';
  await waitFor(
    'natscope serve to print its URL',
    () => {
      peer.assertAlive();
      const line = peer
        .log()
        .split('\n')
        .find((l) => l.startsWith('{"url"'));
      if (line) url = (JSON.parse(line) as { url: string }).url;
      return url !== '';
    },
    20_000,
  );
  return { url, peer };
}

/**
 * Chromium inside a lab host's namespace (through `ip netns exec`; Playwright talks to it over a pipe).
 * Chromium looks up Google's hosts by itself (update, accounts, autofill) whatever the flags say; in
 * the lab there is no DNS server, so its resolver points at loopback (a bind mount inside the mount
 * namespace `ip netns exec` creates): the browser's own lookups never show on the lab's wires,
 * NatScope's would.
 */
export async function launchLabChromium(lab: Lab, host: HostName): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (test/lab/install-deps.sh)`);
  const resolv = join(lab.workDir, 'resolv-loopback.conf');
  writeFileSync(resolv, 'nameserver 127.0.0.1\n');
  const wrapper = join(lab.workDir, `chromium-in-${host}.sh`);
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec ip netns exec ${lab.nsOf(host)} sh -c 'mount --bind "$0" /etc/resolv.conf && exec ${CHROMIUM} "$@"' ${resolv} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return chromium.launch({ executablePath: wrapper, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}
