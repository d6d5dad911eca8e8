// How every UI test starts Debian's Chromium (never a downloaded browser): the e2e suite's
// Playwright config and the lab's browser in a namespace share these.
export const CHROMIUM_PATH = process.env.NATSCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** Headless in a root container, and nothing of Chromium's own that talks to the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
