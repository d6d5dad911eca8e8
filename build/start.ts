// `npm start`: the desktop app. Installs the Electron binary on first use (Electron's own
// installer, bounded in time); falls back to web mode only when the app really cannot run here,
// and then says why in one line.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { findElectronBinary } from './electron-binary.ts';
import { installElectron } from './electron-install.ts';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'natscope.mjs');
const env = process.env;

function webMode(reason: string): void {
  const child = spawn(process.execPath, [cli, 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  // Ctrl-C reaches web mode too (handlers first: a signal right after the line must not orphan it).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  console.error(`NatScope: ${reason} — starting web mode instead.`);
}

function launch(binary: string): void {
  const started = Date.now();
  const child = spawn(binary, [path.join(root, 'dist', 'electron', 'main.cjs')], { stdio: 'inherit' });
  child.on('error', (err) => webMode(`the desktop app could not start (${err.message})`));
  child.on('exit', (code, signal) => {
    // A crash within the first seconds means Electron cannot run here (missing libraries, no GPU…).
    if (code !== 0 && signal === null && Date.now() - started < 5000)
      webMode(`the desktop app exited at start with code ${code}`);
    else process.exit(code ?? 0);
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
}

const seconds = (name: string, fallback: number) => {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v * 1000 : fallback;
};

const hasDisplay = process.platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
const installed = findElectronBinary(root);
const skip = env.ELECTRON_SKIP_BINARY_DOWNLOAD;
if (!hasDisplay) {
  webMode('no display for the desktop app (DISPLAY and WAYLAND_DISPLAY are unset)');
} else if (installed) {
  launch(installed);
} else if (skip && skip !== '0' && skip !== 'false') {
  webMode(
    `ELECTRON_SKIP_BINARY_DOWNLOAD=${skip} is set, so the Electron binary is not downloaded (unset it for the desktop app)`,
  );
} else {
  const outcome = await installElectron({
    projectRoot: root,
    timeoutMs: seconds('NATSCOPE_ELECTRON_INSTALL_TIMEOUT', 300_000),
    stallMs: seconds('NATSCOPE_ELECTRON_INSTALL_STALL', 60_000),
    env,
    log: (line) => console.error(line),
  });
  if (outcome.ok) launch(outcome.binary);
  else webMode(`the Electron binary could not be installed: ${outcome.reason}`);
}
