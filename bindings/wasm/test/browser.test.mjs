// The demo pages in a real browser: headless Chromium (Debian's, driven by
// playwright-core) loads them from a loopback server. On the demo a file is
// picked, encoded, a fifth of its symbols dropped, and decoded, and the page
// must report that the bytes match; rq-library.html runs rq-library-wasm's
// calling sequence against librq-wasm/rq-library. Skipped, saying why, where Chromium or playwright-core is
// not installed (scripts/install-deps.sh and npm ci install both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { serve } from './support/server.mjs';
import { splitmixBytes } from './support/helpers.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

async function browser(t) {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM}`);
    return null;
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    t.skip('playwright-core is not installed (npm ci in bindings/wasm)');
    return null;
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** Opens path on a fresh loopback server in headless Chromium, runs fn(page), and checks no page error. */
async function withPage(t, path, fn) {
  const b = await browser(t);
  if (!b) return;
  const server = await serve();
  try {
    const page = await b.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}${path}`);
    await fn(page);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await server.close();
  }
}

test('the demo page encodes a file, loses 20% of its symbols and rebuilds it byte for byte', (t) =>
  withPage(t, '/demo/index.html', async (page) => {
    await page.waitForSelector('#status[data-state="ready"]');
    const file = Buffer.from(splitmixBytes(42, 3 * 1024 * 1024 + 12345));
    await page.setInputFiles('#file', { name: 'sample.bin', mimeType: 'application/octet-stream', buffer: file });
    await page.click('#encode');
    await page.waitForSelector('#status[data-state="encoded"]', { timeout: 60000 });
    const symbols = Number(await page.getAttribute('#encode-result', 'data-symbols'));
    assert.ok(symbols > 3 * 1024, `${symbols} symbols`);
    assert.match(await page.textContent('#encode-result'), /wasm-simd128/);
    await page.fill('#loss', '20');
    await page.click('#decode');
    await page.waitForSelector('#status[data-state="decoded"], #status[data-state="error"], #status[data-state="undecodable"]',
      { timeout: 60000 });
    assert.equal(await page.getAttribute('#status', 'data-state'), 'decoded', await page.textContent('#status'));
    assert.equal(await page.getAttribute('#decode-result', 'data-match'), 'true');
    assert.equal(Number(await page.getAttribute('#decode-result', 'data-lost')), Math.round(symbols * 0.2));
    console.log(await page.textContent('#encode-result'));
    console.log(await page.textContent('#decode-result'));

    // Too much lost: the page says so instead of producing wrong bytes.
    await page.fill('#loss', '60');
    await page.click('#decode');
    await page.waitForSelector('#status[data-state="undecodable"]', { timeout: 60000 });
    assert.equal(await page.getAttribute('#decode-result', 'data-match'), 'false');
  }));

test('rq-library-wasm\'s calling sequence runs in the browser against librq-wasm/rq-library', (t) =>
  withPage(t, '/demo/rq-library.html?size=1500007', async (page) => {
    await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 60000 });
    console.log(await page.textContent('#log'));
    assert.equal(await page.getAttribute('#status', 'data-state'), 'done', await page.textContent('#status'));
    assert.equal(await page.getAttribute('#status', 'data-match'), 'true');
    assert.ok(Number(await page.getAttribute('#status', 'data-symbols')) > 23);
  }));
