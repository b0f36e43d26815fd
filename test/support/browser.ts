import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { REPO_DIR } from './network';

/** Debian's Chromium (apt package `chromium`), which scripts/setup.sh installs for the tests. */
export const CHROMIUM = process.env.MEDSHARE_CHROMIUM ?? '/usr/bin/chromium';

/** Where the end-to-end run leaves its screenshots. */
export const SCREENSHOT_DIR = join(REPO_DIR, 'test-results', 'web');

/**
 * Headless Chromium as this machine allows it: no sandbox (root), and no
 * background networking, whose connections the closed network would refuse.
 */
export async function launchChromium(): Promise<Browser> {
  await rm(SCREENSHOT_DIR, { recursive: true, force: true });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A request the page sent, with its body, kept for the no-plaintext check. */
export interface SentRequest {
  user: string;
  method: string;
  url: string;
  body: Buffer | null;
}

/** One user's browser: their own profile (cookies, IndexedDB), one page, every request recorded. */
export interface UserBrowser {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as `<nn>-<step>.png` in {@link SCREENSHOT_DIR}. */
  shot(step: string): Promise<void>;
}

let shots = 0;

/** Opens a fresh browser profile for a user, at the gateway's page. */
export async function openUserBrowser(
  browser: Browser,
  gatewayUrl: string,
  name: string,
  requests: SentRequest[],
  viewport = { width: 1280, height: 800 },
): Promise<UserBrowser> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, baseURL: gatewayUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const record = (request: Request) => {
    requests.push({
      user: name,
      method: request.method(),
      url: request.url(),
      body: request.postDataBuffer(),
    });
  };
  page.on('request', record);
  await page.goto('/');
  return {
    name,
    context,
    page,
    async shot(step: string) {
      shots += 1;
      const file = `${String(shots).padStart(2, '0')}-${step}.png`;
      await page.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage: true });
    },
  };
}

/** Fills the sign-in form's first step (organisation, user name, password) and submits it. */
export async function submitPassword(
  page: Page,
  user: { mspId: string; name: string; password: string },
): Promise<void> {
  await page.getByLabel('Organisation').selectOption(user.mspId);
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
