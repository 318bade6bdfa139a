import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The page lives in www/; the wasm package is built into pkg/ at the repository root.
export default defineConfig({
  root: 'www',
  base: './',
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
