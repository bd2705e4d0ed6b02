import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/dynamodb-local';

const root = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let packed: string | undefined;

/** `npm pack` of the project (built by `prepack`), once per test run. */
export function packTarball(): string {
  if (packed) return packed;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-pack-'));
  execFileSync(NPM, ['pack', '--pack-destination', dir, '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  packed = path.join(dir, tarball);
  return packed;
}

/** A fresh Node-RED user directory with the packed tarball installed the way a user installs a node. */
export function userDirWithPackage(): string {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-userdir-'));
  writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }));
  execFileSync(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', packTarball()], {
    cwd: userDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return userDir;
}

export interface NodeRedProcess {
  readonly url: string;
  readonly port: number;
  readonly userDir: string;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  userDir: string;
  flows?: unknown[];
  credentials?: Record<string, Record<string, string>>;
  /** Extra settings.js entries, serialised as JSON. */
  settings?: Record<string, unknown>;
}

export async function startNodeRed(options: StartOptions): Promise<NodeRedProcess> {
  const { userDir } = options;
  const port = await freePort();
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows ?? []));
  writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials ?? {}));
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    credentialSecret: false,
    editorTheme: { tours: false },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
  };
  writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const redJs = require.resolve('node-red/red.js');
  const child: ChildProcess = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited early:\n${output}`);
    if (/Started flows|Server now running/.test(output) && (await reachable(`${url}/settings`))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Node-RED did not start within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    port,
    userDir,
    logs: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    return response.ok;
  } catch {
    return false;
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
