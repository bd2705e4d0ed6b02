// Compiles nodes/ to dist/ and places each node's editor file, locales and icons
// beside the compiled .js, where Node-RED looks for them.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
for (const file of readdirSync(path.join(root, 'nodes')).filter((f) => f.endsWith('.html'))) {
  cpSync(path.join(root, 'nodes', file), path.join(dist, file));
}
cpSync(path.join(root, 'locales'), path.join(dist, 'locales'), { recursive: true });
cpSync(path.join(root, 'icons'), path.join(dist, 'icons'), { recursive: true });
