// Security checks of the front end: the built page carries a strict Content-Security-Policy (no
// unsafe-eval, no inline scripts; only 'wasm-unsafe-eval' for the WebAssembly core), the browser enforces
// it, and no source file turns text into markup or code (innerHTML, eval and kin).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

const BUILT = 'www/dist/index.html';

/** The directives of the CSP meta tag of `html`, by name. */
function csp(html: string): Map<string, string[]> {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  expect(meta, `${BUILT} has a Content-Security-Policy meta tag`).not.toBeNull();
  return new Map(
    meta![1]!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

test('the built index.html has a strict Content-Security-Policy', () => {
  const html = readFileSync(BUILT, 'utf8');
  const policy = csp(html);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'none'"]);
  for (const [name, values] of policy) {
    expect(values, name).not.toContain("'unsafe-eval'");
    if (name === 'script-src' || name === 'default-src') expect(values, name).not.toContain("'unsafe-inline'");
  }
  // Every script is a file of the page's own: no inline code for the policy to have to allow.
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [, attrs, body] of scripts) {
    expect(attrs, 'script has a src').toMatch(/\bsrc="\.?\/assets\//);
    expect(body!.trim(), 'script has no inline code').toBe('');
  }
});

test('no front-end source turns text into markup or code', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  const sources = [...files('www/src').filter((f) => /\.(ts|js|html)$/.test(f) && !f.includes('/generated/')), 'www/index.html'];
  expect(sources.length).toBeGreaterThan(10);
  const forbidden = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|srcdoc|eval\s*\(|new\s+Function\s*\(|set(Timeout|Interval)\s*\(\s*['"`])/;
  const found = sources.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => ({ line, where: `${file}:${i + 1}` }))
      .filter(({ line }) => forbidden.test(line))
      .map(({ line, where }) => `${where}: ${line.trim()}`),
  );
  expect(found).toEqual([]);
});

test('the browser enforces the policy: an inline script is refused in the served page', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#app')).toHaveAttribute('data-ready', 'true');
  const outcome = await page.evaluate(
    () =>
      new Promise<{ ran: boolean; directive: string }>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => {
          resolve({ ran: (window as unknown as { injected?: boolean }).injected === true, directive: e.effectiveDirective });
        });
        const script = document.createElement('script');
        script.textContent = 'window.injected = true;';
        document.head.append(script);
      }),
  );
  expect(outcome).toEqual({ ran: false, directive: 'script-src-elem' });
});
