// `npm start`: the desktop app where Electron can run; otherwise one clear line and web mode.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { findElectronBinary } from './electron-binary.ts';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'natscope.mjs');

function webMode(reason: string): void {
  console.error(`NatScope: ${reason} — starting web mode instead.`);
  const child = spawn(process.execPath, [cli, 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
}

const binary = findElectronBinary(root);
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (!binary) {
  webMode(
    'the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set, or its download failed)',
  );
} else if (!hasDisplay) {
  webMode('no display available for the desktop app (DISPLAY/WAYLAND_DISPLAY unset)');
} else {
  const started = Date.now();
  const child = spawn(binary, [path.join(root, 'dist', 'electron', 'main.cjs')], { stdio: 'inherit' });
  child.on('error', (err) => webMode(`the desktop app could not start (${err.message})`));
  child.on('exit', (code) => {
    // A crash within the first seconds means Electron cannot run here (missing libraries, no GPU…).
    if (code !== 0 && Date.now() - started < 5000)
      webMode(`the desktop app exited at start with code ${code}`);
    else process.exit(code ?? 0);
  });
}
