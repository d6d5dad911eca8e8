import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The renderer is one static bundle used by both front doors: loaded from file:// by Electron and
// served over http://127.0.0.1 by web mode. Hence relative asset paths (base './').
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    // webrtc.html: the page `natscope webrtc` drives in a headless Chromium (features/webrtc).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        webrtc: fileURLToPath(new URL('webrtc.html', import.meta.url)),
      },
    },
  },
});
