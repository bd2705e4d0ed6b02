// Headless Chromium (Debian's package) for the browser test and the README screenshot.
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that work as root in this sandbox; the background-networking ones keep Chromium off the closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class ChromiumMissingError extends Error {
  constructor() {
    super(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium), ` +
        'or point CHROMIUM_PATH at a Chromium binary. .ci/run installs it.',
    );
  }
}

export interface LoopbackBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile that may reach 127.0.0.1 only. */
export async function launchLoopbackChromium(viewport: { width: number; height: number }): Promise<LoopbackBrowser> {
  if (!existsSync(CHROMIUM)) throw new ChromiumMissingError();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'en-US',
    timeout: 60_000,
  });
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
