/**
 * Chromium switches for an unattended run (NatScope's headless WebRTC echo; the e2e suite and the
 * lab's browsers build on them in test/e2e/chromium-flags.ts): no first-run UI and no background
 * traffic of Chromium's own.
 */
export const UNATTENDED_CHROMIUM_ARGS = [
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A synthetic microphone (a beep) granted without a prompt: the echo's "hear yourself" path has sound. */
export const FAKE_MICROPHONE_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
