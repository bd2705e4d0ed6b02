import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installTarball, packProject, projectRoot } from '../node-red-process';

export interface DemoInstall {
  readonly userDir: string;
  /** False when the user directory already held this exact tarball. */
  readonly reinstalled: boolean;
}

/** `npm pack` the project and install the tarball into `<demoDir>/userdir`, skipping the install when the tarball did not change. */
export function installDemoPackage(demoDir: string): DemoInstall {
  const tarball = packProject(path.join(demoDir, 'package'));
  const userDir = path.join(demoDir, 'userdir');
  const stamp = path.join(userDir, '.installed-tarball.sha256');
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const { name } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { name: string };
  const installed = existsSync(path.join(userDir, 'node_modules', name, 'package.json'));
  if (installed && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return { userDir, reinstalled: false };
  installTarball(userDir, tarball);
  writeFileSync(stamp, digest);
  return { userDir, reinstalled: true };
}
