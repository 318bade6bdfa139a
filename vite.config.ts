import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The scenarios whose pretrained policy the page ships (`www/public/pretrained/<scenario>.safetensors`),
 * listed when the page is built: the page names the others as having none without asking the server
 * for a file that is not there.
 */
const pretrained = readdirSync(fileURLToPath(new URL('./www/public/pretrained', import.meta.url)))
  .filter((name) => name.endsWith('.safetensors'))
  .map((name) => name.slice(0, -'.safetensors'.length))
  .sort();

// The page lives in www/; the wasm package is built into pkg/ at the repository root.
export default defineConfig({
  root: 'www',
  base: './',
  define: { __PRETRAINED_SCENARIOS__: JSON.stringify(pretrained) },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The playground and the learner bench page.
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./www/index.html', import.meta.url)),
        bench: fileURLToPath(new URL('./www/bench.html', import.meta.url)),
      },
    },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1' },
  test: {
    root: '.',
    include: ['www/src/**/*.test.ts'],
    environment: 'node',
  },
});
