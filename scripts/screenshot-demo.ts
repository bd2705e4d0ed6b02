// Takes the README's screenshot of the running demo: `npm run screenshot` writes docs/demo.png.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchLoopbackChromium } from './chromium';

const root = path.resolve(__dirname, '..');
const output = path.join(root, 'docs', 'demo.png');

async function main(): Promise<void> {
  const demo = spawn('npx', ['tsx', 'scripts/start.ts', '--port', '0', '--ddb-port', '0', '--sink-port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => demo.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`the demo did not get ready:\n${seen}`)), 120_000);
      demo.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const ready = /Demo ready: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]);
        }
      });
      demo.once('exit', () => reject(new Error(`the demo exited:\n${seen}`)));
    });
    const browser = await launchLoopbackChromium({ width: 1200, height: 640 });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(url);
      await page.locator('.red-ui-flow-node-group').first().waitFor({ timeout: 30_000 });
      await page.locator('#red-ui-tab-debug-link-button').click();
      await page.locator('.red-ui-debug-msg').nth(3).waitFor({ timeout: 30_000 });
      await page.mouse.move(600, 600);
      await page.waitForTimeout(1_500);
      mkdirSync(path.dirname(output), { recursive: true });
      await page.screenshot({ path: output });
      console.log(`wrote ${path.relative(root, output)}`);
    } finally {
      await browser.close();
    }
  } finally {
    demo.kill('SIGINT');
    await exited;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
