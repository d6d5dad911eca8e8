// How every UI test starts Debian's Chromium (never a downloaded browser): the e2e suite's
// Playwright config and the lab's browser in a namespace share these.
import {
  FAKE_MICROPHONE_ARGS,
  UNATTENDED_CHROMIUM_ARGS,
} from '../../electron/services/webrtc/chromium-args.ts';

export const CHROMIUM_PATH = process.env.NATSCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** Headless in a root container, and nothing of Chromium's own that talks to the network. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', ...UNATTENDED_CHROMIUM_ARGS];

export { FAKE_MICROPHONE_ARGS };
