// Measures the built page (www/dist; build it first): time to interactive after load — navigation start
// to the moment the page sets `data-ready` on #app — over several cold loads (a fresh browser context,
// so nothing cached), and the wasm size gzipped. Reports, never asserts.
//   node scripts/measure-page.mjs [loads=7]
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const loads = Number(process.argv[2] ?? 7);
const port = 4183;
const base = `http://127.0.0.1:${port}/`;

const server = spawn('node_modules/.bin/vite', ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      if (i > 100) throw new Error('vite preview did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const times = [];
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // Stamp the moment #app gets data-ready, relative to navigation start (performance.now()'s origin).
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const app = document.getElementById('app');
        if (app?.dataset.ready === 'true') {
          window.readyAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
    });
    await page.goto(base);
    await page.waitForFunction(() => window.readyAt !== undefined, null, { timeout: 30_000 });
    times.push(await page.evaluate(() => window.readyAt));
    await context.close();
  }
  await browser.close();
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const wasm = readdirSync('www/dist/assets').filter((f) => f.endsWith('.wasm'));
  const raw = wasm.map((f) => readFileSync(`www/dist/assets/${f}`));
  const gz = raw.map((b) => gzipSync(b, { level: 9 }).length);
  console.log(`time to interactive (navigation start -> data-ready), ${loads} cold loads at 1280x800:`);
  console.log(`  each (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
  console.log(`  median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
  for (const [i, f] of wasm.entries()) console.log(`wasm ${f}: ${raw[i].length} bytes, ${gz[i]} bytes gzip -9`);
  console.log(`machine: ${execFileSync('nproc').toString().trim()} cores, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
} finally {
  server.kill();
}
