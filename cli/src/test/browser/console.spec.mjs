// End-to-end test of the profiles web console in headless Chromium (playwright-core, Debian's
// chromium). Run by ConsoleBrowserTest, which starts the console on a seeded SQLite store, passes
// CONSOLE_URL, CONSOLE_TOKEN, STORE, RESTORE_VERSION and SCREENSHOT_DIR, and afterwards checks the
// store itself. Prints one line per step; exits non-zero at the first failed step.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const url = process.env.CONSOLE_URL;
const token = process.env.CONSOLE_TOKEN;
const store = process.env.STORE;
const restoreVersion = process.env.RESTORE_VERSION;
const shots = process.env.SCREENSHOT_DIR;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!url || !token || !store || !restoreVersion || !shots) {
  console.error('set CONSOLE_URL, CONSOLE_TOKEN, STORE, RESTORE_VERSION and SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

// a fresh profile directory each run (Playwright passes it as --user-data-dir)
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'console-chromium-')), {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(15000);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const shot = (name) => page.screenshot({ path: join(shots, name + '.png') });

  // Every page needs the token: the start page sends us to the login form.
  await page.goto(url);
  check(new URL(page.url()).pathname === '/login', 'without a session the console shows the login page');
  await page.fill('#token', 'not-the-token');
  await page.click('#login');
  const refusal = await page.textContent('body');
  check(refusal.includes('not the console'), 'a wrong token is refused');
  await shot('login');
  await page.fill('#token', token);
  await page.click('#login');
  await page.waitForURL(url);
  check((await page.textContent('h1')) === 'Profile stores', 'logged in with the token: start page');
  await shot('start');

  // Search a key by prefix, open a profile.
  await page.fill('#store', store);
  await page.fill('#prefix', 'Player_');
  await page.click('#find');
  await page.waitForSelector('#keys');
  const keys = await page.$$eval('#keys a', (as) => as.map((a) => a.textContent));
  check(keys.includes('Player_1') && keys.includes('Player_2') && keys.every((k) => k.startsWith('Player_')),
    'prefix search lists the Player_ keys only: ' + keys.join(', '));
  await shot('keys');
  await page.click('#keys >> text=Player_1');
  await page.waitForSelector('#profile-key');
  check((await page.textContent('#profile-key')) === 'Player_1', 'the profile page opens');
  check((await page.textContent('#data')).includes('coins'), 'its data shows as a tree');

  // Send a gift and see it pending.
  await page.fill('#gift-data', '{"type":"AdminGift","coins":250}');
  await page.click('#send-gift');
  await page.waitForSelector('#flash');
  check((await page.textContent('#flash')).startsWith('Sent gift #'), 'the gift is sent');
  check((await page.textContent('#pending')).includes('"coins":250'), 'the gift shows as pending');
  check((await page.textContent('#audit')).includes('gift'), 'the gift is in the audit log on the page');
  await shot('profile');

  // A cross-site POST: a page of another origin (about:blank, opaque) posts a gift form to the
  // console. The browser sends no session cookie (SameSite=Strict), Origin: null and Sec-Fetch-Site:
  // cross-site, and the console refuses it.
  await page.goto('about:blank');
  const crossSite = page.waitForResponse((r) => r.url().endsWith('/gift'));
  await page.setContent(`<form method="post" action="${url}gift">
    <input name="store" value="${store}"><input name="key" value="Player_1">
    <input name="data" value='{"coins":999999}'><button id="forged">go</button></form>`);
  await page.click('#forged');
  const refused = (await crossSite).status();
  check(refused === 401 || refused === 403, 'a cross-site POST is refused (HTTP ' + refused + ')');
  await page.goto(url + 'profile?store=' + encodeURIComponent(store) + '&key=Player_1');
  check(!(await page.textContent('#pending')).includes('999999'), 'the cross-site gift was not sent');

  // History, a diff, and a restore whose confirmation shows the diff.
  await page.click('#history-link');
  await page.waitForSelector('#versions');
  await shot('history');
  await page.click(`tr[data-version="${restoreVersion}"] >> text=diff to latest`);
  await page.waitForSelector('#diff-lines');
  check((await page.textContent('#diff-lines')).includes('/data/coins: 100 -> 0'), 'the diff shows coins 100 -> 0');
  await shot('diff');
  await page.goBack();
  await page.click(`tr[data-version="${restoreVersion}"] >> a.restore`);
  await page.waitForSelector('#confirm-restore');
  check((await page.textContent('#diff-lines')).includes('/data/coins: 0 -> 100'),
    'the restore confirmation shows what changes (coins 0 -> 100)');
  await shot('restore');
  await page.click('#confirm-restore');
  await page.waitForSelector('#flash');
  check((await page.textContent('#flash')).startsWith('Restored version ' + restoreVersion), 'restored');
  check((await page.textContent('#data')).includes('100'), 'the profile shows the restored data');

  // Sessions, live: the table is refreshed from the JSON endpoint.
  await page.goto(url + 'sessions?store=' + encodeURIComponent(store));
  check((await page.textContent('#sessions-body')).includes('Player_Online'), 'the sessions page lists the held profile');
  await page.waitForFunction(() => document.getElementById('updated').textContent.startsWith('updated'));
  check((await page.textContent('#sessions-body')).includes('live, expires in'), 'the live update shows the lease');
  await shot('sessions');

  // Wipe with the typed confirmation: a wrong key is refused, the right one wipes.
  await page.goto(url + 'profile?store=' + encodeURIComponent(store) + '&key=Player_2');
  await page.click('#wipe-link');
  await page.fill('#confirm', 'Player_');
  await page.click('#confirm-wipe');
  check((await page.textContent('#error')).includes('type the key exactly'), 'a wipe with the wrong key typed is refused');
  await page.goBack();
  await page.fill('#confirm', 'Player_2');
  await shot('wipe');
  await page.click('#confirm-wipe');
  await page.waitForSelector('#flash');
  check((await page.textContent('#flash')).startsWith('Wiped Player_2'), 'the wipe is done');

  // Hostile data renders as text: no dialog ever opened.
  await page.goto(url + 'keys?store=' + encodeURIComponent(store) + '&prefix=' + encodeURIComponent('"'));
  await page.click('#keys a');
  await page.waitForSelector('#profile-key');
  check((await page.textContent('#profile-key')).includes('<img'), 'a hostile key shows as text');
  await shot('hostile');
  check(dialogs.length === 0, 'no script from the store ran (no dialogs): ' + dialogs.join(' | '));
} catch (e) {
  failed = true;
  console.error('not ok - ' + e.message);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
