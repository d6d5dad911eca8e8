import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Proves the layering rules in eslint.config.js fail the build: each case lints a violating
// snippet as if it lived at the given path and expects a no-restricted-* error.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restrictedErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId?.startsWith('no-restricted') && m.severity === 2)
    .map((m) => m.message);
}

// The first lint loads the whole config (typescript-eslint, React hooks): seconds on a loaded machine.
describe('layering rules', { timeout: 60_000 }, () => {
  it.each([
    ['shared/model/x.ts', "import os from 'node:os';\nexport const x = os;"],
    ['shared/model/x.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['shared/model/x.ts', 'export const x = document.title;'],
    ['shared/model/x.ts', 'export const x = process.pid;'],
    ['electron/engine/stun/x.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['electron/engine/stun/x.ts', "import { x } from '../../services/services.ts';\nexport const y = x;"],
    ['electron/services/x.ts', "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;"],
    ['renderer/src/x.ts', "import fs from 'node:fs';\nexport const x = fs;"],
    ['renderer/src/x.ts', "import { shell } from 'electron';\nexport const x = shell;"],
    ['renderer/src/x.ts', "import { x } from '../../electron/services/services.ts';\nexport const y = x;"],
    ['electron/main/window.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;"],
    ['electron/main/window.ts', "import { ipcMain } from 'electron';\nexport const x = ipcMain;"],
    ['electron/preload/preload.ts', "import { ipcMain } from 'electron';\nexport const x = ipcMain;"],
  ])('%s rejects: %s', async (file, code) => {
    expect(await restrictedErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['electron/preload/preload.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;"],
    ['electron/main/ipc.ts', "import { ipcMain } from 'electron';\nexport const x = ipcMain;"],
    ['electron/engine/stun/x.ts', "import dgram from 'node:dgram';\nexport const x = dgram;"],
    ['shared/model/x.ts', "import { z } from 'zod';\nexport const x = z;"],
  ])('%s allows: %s', async (file, code) => {
    expect(await restrictedErrors(file, code)).toEqual([]);
  });
});
