// Packs this project, installs the tarball into a Node-RED user directory the way a user would,
// and runs a real Node-RED on 127.0.0.1 with a generated settings.js: the project's own dependency, or the
// installation NODE_RED_PACKAGE_DIR names, on the Node.js that runs this script (the first `node` on PATH).
// Used by `npm start` (scripts/start.ts) and by the end-to-end tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './dynamodb-local';

export const projectRoot = path.resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const KEPT_OUTPUT_CHARS = 1_000_000;

/** `npm pack` of the project into `destination` (its `prepack` script builds first); returns the tarball's path. */
export function packProject(destination: string): string {
  mkdirSync(destination, { recursive: true });
  for (const old of readdirSync(destination).filter((f) => f.endsWith('.tgz'))) rmSync(path.join(destination, old));
  execFileSync(NPM, ['pack', '--pack-destination', destination, '--silent'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(destination).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  return path.join(destination, tarball);
}

/** `npm install <tarball>` in a Node-RED user directory, as a user installs a node from a file. */
export function installTarball(userDir: string, tarball: string): void {
  mkdirSync(userDir, { recursive: true });
  const manifest = path.join(userDir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }));
  execFileSync(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], {
    cwd: userDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The Node-RED package directory (the one holding red.js) that `startNodeRed` runs. */
export function nodeRedPackageDir(): string {
  const selected = process.env.NODE_RED_PACKAGE_DIR;
  return selected ? path.resolve(selected) : path.dirname(require.resolve('node-red/package.json'));
}

export interface NodeRedProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly userDir: string;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  userDir: string;
  /** Defaults to any free port. */
  port?: number;
  flows?: unknown[];
  credentials?: Record<string, Record<string, string>>;
  /** Extra settings.js entries, serialised as JSON. */
  settings?: Record<string, unknown>;
  /** Added to (or, when undefined, removed from) this process's environment for Node-RED. */
  env?: Record<string, string | undefined>;
  /** Receives Node-RED's stdout and stderr as they arrive. */
  onOutput?: (text: string) => void;
}

export async function startNodeRed(options: StartOptions): Promise<NodeRedProcess> {
  const { userDir } = options;
  const port = options.port || (await freePort());
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
  const redJs = path.join(nodeRedPackageDir(), 'red.js');
  if (!existsSync(redJs)) throw new Error(`no Node-RED at ${redJs} (NODE_RED_PACKAGE_DIR must name the node-red package directory)`);
  const child: ChildProcess = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...options.env },
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    output = (output + text).slice(-KEPT_OUTPUT_CHARS);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Node-RED exited early:\n${output}`);
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
    pid: child.pid ?? 0,
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
