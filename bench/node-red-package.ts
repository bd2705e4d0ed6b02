// Which Node-RED the bench runs in its own process: NODE_RED_PACKAGE_DIR (as in CI, e.g. Node-RED 5)
// or the devDependency.
import path from 'node:path';

export const nodeRedPackageDir = process.env.NODE_RED_PACKAGE_DIR || path.dirname(require.resolve('node-red/package.json'));

/* eslint-disable @typescript-eslint/no-require-imports */
export const nodeRedVersion: string = require(path.join(nodeRedPackageDir, 'package.json')).version;

/** A core node's module (e.g. `network/21-httprequest.js`) of that Node-RED's `@node-red/nodes`. */
export function coreNode(file: string): unknown {
  const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [nodeRedPackageDir] }));
  return require(path.join(nodesDir, 'core', file));
}
