import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installTarball, packProject } from '../../scripts/node-red-process';

export { nodeRedPackageDir, startNodeRed, type NodeRedProcess, type StartOptions } from '../../scripts/node-red-process';

let packed: string | undefined;

/** `npm pack` of the project (built by `prepack`), once per test run. */
export function packTarball(): string {
  packed ??= packProject(mkdtempSync(path.join(os.tmpdir(), 'ddbstream-pack-')));
  return packed;
}

/** A fresh Node-RED user directory with the packed tarball installed the way a user installs a node. */
export function userDirWithPackage(): string {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-userdir-'));
  installTarball(userDir, packTarball());
  return userDir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
