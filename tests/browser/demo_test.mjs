// End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// `consentflow serve --demo` on a free port; a customer on the demo phone consents, answers and
// is handed off; an agent logs in to the console, claims the chat and replies; the reply
// reaches the phone and its delivery status reaches the console; the agent hands back to the
// bot at `menu` and the bot answers the customer again.
//
//   node demo_test.mjs path/to/consentflow OUTPUT_DIR
//
// Screenshots of each step go to OUTPUT_DIR. Every wait is for a condition (with a generous
// deadline for a loaded machine), never a fixed sleep. Exit status 0 when every step passed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [binary, outDir] = process.argv.slice(2);
// The checkout: the demo serves its flows/ (found from the working directory when the binary
// was built outside the checkout).
const CHECKOUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CF_CHROMIUM || '/usr/bin/chromium';
const WAIT = 45_000;  // per condition; the machine may be busy compiling
const PHONE = '4915100000042';

function fail(message) {
  console.error('browser_demo: FAILED: ' + message);
  process.exitCode = 1;
}

if (!binary || !outDir) {
  fail('usage: node demo_test.mjs CONSENTFLOW_BINARY OUTPUT_DIR');
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  fail(`${CHROMIUM} is missing: install Debian's chromium package (scripts/install-deps.sh does)`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

// ---- the server

function startServer() {
  const server = spawn(binary, ['serve', '--demo', '--port', '0'],
                       { cwd: CHECKOUT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  server.stderr.on('data', (d) => { err += d; });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo did not start within 60 s:\n' + out + err)), 60_000);
    server.stdout.on('data', (d) => {
      out += d;
      const url = out.match(/agent console: (http:\/\/127\.0\.0\.1:\d+)\/console/);
      const login = out.match(/console login: demo \/ (\S+)/);
      if (url && login) {
        clearTimeout(timer);
        resolve({ base: url[1], password: login[1] });
      }
    });
    server.on('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready:\n${out}${err}`)));
  });
  return { server, ready, log: () => out + err };
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null) return resolve(server.exitCode);
    const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
    server.on('exit', (code, signal) => { clearTimeout(timer); resolve(signal ? 128 : code); });
    server.kill('SIGTERM');
  });
}

// ---- steps

let shot = 0;
async function screenshot(page, name) {
  const file = join(outDir, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log('  screenshot ' + file);
}

function step(name) { console.log('step: ' + name); }

// The phone's last business bubble whose text contains `text`.
function bubble(phone, text) {
  return phone.locator('#chat li.bubble.business', { hasText: text }).last();
}

async function customerSays(phone, text) {
  await phone.getByLabel('Message').fill(text);
  await phone.getByRole('button', { name: 'Send', exact: true }).click();
  await phone.locator('#chat li.bubble.customer', { hasText: text }).last()
    .and(phone.locator('[data-status="sent"], [data-status="read"]')).waitFor({ timeout: WAIT });
}

async function run() {
  const { server, ready, log } = startServer();
  let browser;
  try {
    const { base, password } = await ready;
    console.log('demo at ' + base);
    // launch() gives Chromium a fresh, empty profile (--user-data-dir) of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(WAIT);
    const pageErrors = [];
    const phone = await context.newPage();
    phone.on('pageerror', (e) => pageErrors.push('phone: ' + e.message));
    const console_ = await context.newPage();
    console_.on('pageerror', (e) => pageErrors.push('console: ' + e.message));

    step('the customer writes, opens the menu list and picks a row');
    await phone.goto(`${base}/demo/?phone=${PHONE}`);
    await phone.getByRole('status').filter({ hasText: `Connected as +${PHONE}` }).waitFor();
    await customerSays(phone, 'Hello, my lamp is broken');
    await bubble(phone, 'What can we help you with?').waitFor();
    await bubble(phone, 'What can we help you with?').getByRole('button', { name: /☰/ }).click();
    await screenshot(phone, 'phone-menu-list');
    await bubble(phone, 'What can we help you with?').getByRole('button', { name: 'Problem with an order' }).click();

    step('the customer consents (a reply button) and answers');
    const notice = bubble(phone, 'To pass your case to our support team');
    await notice.getByRole('button', { name: 'OK, continue' }).click();
    await bubble(phone, 'What name is the order under?').waitFor();
    await customerSays(phone, 'Alex Morgan');
    await bubble(phone, 'Do you have your order number to hand?')
      .getByRole('button', { name: 'No, not to hand' }).click();
    await bubble(phone, 'Please describe the problem').waitFor();
    await customerSays(phone, 'The lamp arrived with a broken shade.');
    await bubble(phone, "I've passed your case to our support team").waitFor();
    await screenshot(phone, 'phone-handed-off');

    step('an agent logs in and sees the chat waiting, with its note');
    await console_.goto(`${base}/console/`);
    await console_.getByLabel('Name').fill('demo');
    await console_.getByLabel('Password').fill(password);
    await console_.getByRole('button', { name: 'Log in' }).click();
    await console_.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const ticket = console_.getByRole('button', { name: /Order problem from Alex Morgan: The lamp arrived with a broken shade/ });
    await ticket.waitFor();
    await screenshot(console_, 'console-queue');

    step('the agent opens and claims it: fields and consent beside the transcript');
    await ticket.click();
    await console_.locator('#fields').getByText('Alex Morgan (for support)').waitFor();
    await console_.locator('#consents').getByText(/case_privacy v1: granted support/).waitFor();
    await console_.getByRole('button', { name: 'Claim' }).click();
    await console_.locator('#chat-state').getByText('Claimed by demo').waitFor();

    step('while the agent has it, the customer writes; it shows in the transcript, live');
    await customerSays(phone, 'Are you there?');
    await console_.getByRole('list', { name: 'Transcript' }).getByText('Are you there?').waitFor();

    step('the agent replies; the phone gets it; the console shows it delivered');
    const reply = 'Hi Alex, a new shade is on its way today.';
    await console_.getByLabel('Reply').fill(reply);
    await console_.getByRole('button', { name: 'Send reply' }).click();
    await bubble(phone, reply).waitFor();
    await screenshot(phone, 'phone-agent-reply');
    const sent = console_.locator('#transcript li.agent', { hasText: reply });
    await sent.and(console_.locator('[data-delivery="delivered"], [data-delivery="read"]')).waitFor();
    await screenshot(console_, 'console-reply-delivered');

    step('after the 24-hour window (faked for the page only), the agent sends a template');
    // The demo cannot make a day pass, so the console is told the window has closed; the
    // template itself goes through the real API, outbox, sender and stand-in.
    const ticketPath = /\/api\/tickets\/\d+$/;
    await console_.route(ticketPath, async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.window = { open: false, closes_at: null };
      await route.fulfill({ response, json: body });
    });
    await ticket.click();
    await console_.getByText('WhatsApp allows only approved template messages now').waitFor();
    await console_.getByLabel('Template').selectOption({ label: 'follow_up (en)' });
    await console_.getByLabel('{{1}}').fill('Alex');
    await console_.locator('#template-preview').getByText('Hello Alex, we have news about your request.').waitFor();
    await console_.getByRole('button', { name: 'Send template' }).click();
    await bubble(phone, '[template follow_up] Alex').waitFor();
    const template = console_.locator('#transcript li.template', { hasText: 'Hello Alex, we have news' });
    await template.and(console_.locator('[data-delivery="delivered"], [data-delivery="read"]')).waitFor();
    await screenshot(console_, 'console-template-delivered');
    await console_.unroute(ticketPath);

    step('the agent hands back to the bot at "menu"; the bot resumes');
    const menus = await phone.locator('#chat li.bubble.business', { hasText: 'What can we help you with?' }).count();
    // The choices are the states of the conversation's flow, from the API.
    const states = console_.getByLabel('Hand back at state');
    await states.locator('option[value="menu"]').waitFor({ state: 'attached' });
    await states.selectOption('menu');
    await console_.getByRole('button', { name: 'Hand back to bot' }).click();
    await console_.locator('#chat-state').getByText(/Closed \(handed_back\)/).waitFor();
    await phone.waitForFunction((n) => [...document.querySelectorAll('#chat li.bubble.business')]
      .filter((b) => b.textContent.includes('What can we help you with?')).length > n, menus);
    const menu = bubble(phone, 'What can we help you with?');
    await menu.getByRole('button', { name: /☰/ }).click();
    await menu.getByRole('button', { name: 'Delivery times' }).click();
    await bubble(phone, 'Standard delivery takes 3 to 5 working days').waitFor();
    await screenshot(phone, 'phone-bot-resumed');
    await screenshot(console_, 'console-handed-back');

    if (pageErrors.length) fail('errors in the pages:\n' + pageErrors.join('\n'));
  } catch (error) {
    fail(error.stack || String(error));
    console.error('--- server output ---\n' + log().slice(-4000));
  } finally {
    if (browser) {
      // Screenshots of wherever a failure left the pages.
      if (process.exitCode) {
        for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
          await page.screenshot({ path: join(outDir, `failure-${i}.png`), fullPage: true }).catch(() => {});
        }
      }
      await browser.close();
    }
    const code = await stopServer(server);
    if (code !== 0) fail(`the demo exited with status ${code} after SIGTERM`);
  }
  if (!process.exitCode) console.log('browser_demo: passed');
}

await run();
