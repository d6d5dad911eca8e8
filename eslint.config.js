// Lint, including the architecture's layering rules: a violation fails `npm run lint` (and CI).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const IPC_RENDERER = {
  name: 'electron',
  importNames: ['ipcRenderer'],
  message: 'Only electron/preload may touch ipcRenderer.',
};
const IPC_MAIN = {
  name: 'electron',
  importNames: ['ipcMain'],
  message: 'Only electron/main/ipc.ts may touch ipcMain.',
};
const NO_ELECTRON = {
  name: 'electron',
  message: 'This layer must not import Electron (it also runs headless: CLI, web mode).',
};
const nodePaths = (why) => nodeModules.map((name) => ({ name, message: why }));

/** ESLint's no-restricted-imports does not merge across config objects, so each layer states all its bans. */
const restrict = (paths, patterns = []) => ({
  'no-restricted-imports': ['error', { paths, patterns }],
});

const browserOnlyGlobals = ['window', 'document', 'navigator', 'localStorage', 'WebSocket'].map((name) => ({
  name,
  message: 'shared/ is pure: no DOM.',
}));
const nodeOnlyGlobals = ['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
  name,
  message: 'No Node globals in this layer.',
}));

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/artifacts/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      ...restrict([IPC_RENDERER, IPC_MAIN]),
    },
  },
  // Only the preload touches ipcRenderer; only the IPC wiring touches ipcMain.
  { files: ['electron/preload/**'], rules: restrict([IPC_MAIN]) },
  { files: ['electron/main/ipc.ts'], rules: restrict([IPC_RENDERER]) },
  // The engine never imports Electron or the layers above it.
  {
    files: ['electron/engine/**'],
    rules: restrict(
      [NO_ELECTRON],
      [
        {
          group: [
            '**/services/**',
            '**/main/**',
            '**/preload/**',
            '**/cli/**',
            '**/web/**',
            '**/renderer/**',
          ],
          message: 'The engine is the bottom layer: it imports only shared/ and itself.',
        },
      ],
    ),
  },
  // Services, CLI and web host run headless too: no Electron there either.
  {
    files: ['electron/services/**', 'electron/cli/**', 'electron/web/**'],
    rules: restrict(
      [NO_ELECTRON],
      [
        {
          group: ['**/main/**', '**/preload/**', '**/renderer/**'],
          message: 'Services and headless front doors never import the Electron shell or the UI.',
        },
      ],
    ),
  },
  // shared/ is pure TypeScript: no Node, no Electron, no DOM, no other layer.
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      ...restrict(
        [NO_ELECTRON, ...nodePaths('shared/ is pure: no node:* imports.')],
        [
          {
            group: [
              'node:*',
              'react',
              'react-dom',
              '**/electron/**',
              '**/renderer/**',
              'ws',
              'sip.js',
              'fast-xml-parser',
            ],
            message: 'shared/ is pure TypeScript used by every layer.',
          },
        ],
      ),
      'no-restricted-globals': ['error', ...browserOnlyGlobals, ...nodeOnlyGlobals],
    },
  },
  // The renderer never imports Node or Electron; it reaches the engine only through the bridge.
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [NO_ELECTRON, ...nodePaths('The renderer runs in a sandboxed page: no Node.')],
        [
          {
            group: ['node:*', '**/electron/**'],
            message: 'The renderer talks to the engine only through the bridge (shared/contracts).',
          },
        ],
      ),
      'no-restricted-globals': ['error', ...nodeOnlyGlobals],
    },
  },
);
