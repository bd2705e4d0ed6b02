import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MODULE, admin, adminJson, installedPackageDir, nodeSets, problemLines, type NodeSetInfo } from '../support/admin-api';
import { nodeRedPackageDir, removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';

const NODE_TYPES = ['dynamodb-stream-config', 'dynamodb-stream-source'];
const ICON = 'dynamodb-stream.svg';

type Catalog = { [key: string]: string | Catalog };

function lookup(catalog: Catalog | undefined, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Catalog)[part] : undefined), catalog);
}

function leafKeys(catalog: Catalog, prefix = ''): string[] {
  return Object.entries(catalog).flatMap(([name, value]) =>
    typeof value === 'string' ? [`${prefix}${name}`] : leafKeys(value, `${prefix}${name}.`),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** Message keys the editor files use: data-i18n attributes and string literals such as "dynamodb-stream-source.label.name". */
function editorKeys(html: string): string[] {
  const keys = new Set<string>();
  for (const [, attribute] of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of attribute.split(';')) keys.add(part.replace(/^\[[^\]]+\]/, ''));
  }
  for (const [, key] of html.matchAll(/"((?:dynamodb-stream-config|dynamodb-stream-source)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)"/g)) keys.add(key);
  return [...keys];
}

/** Status and error keys the runtime code passes to RED._ under the source node's namespace (`key: 'status.reading'`). */
function runtimeKeys(distDir: string): string[] {
  const keys = new Set<string>();
  for (const file of filesUnder(distDir).filter((f) => f.endsWith('.js'))) {
    for (const [, key] of readFileSync(file, 'utf8').matchAll(/key: ['"]((?:status|errors)\.[A-Za-z0-9_]+)['"]/g)) keys.add(`dynamodb-stream-source.${key}`);
  }
  return [...keys];
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

const SELECTED_NODE_RED = packageVersion(nodeRedPackageDir());

describe('the packed tarball installed into a fresh Node-RED user directory', function () {
  this.timeout(180_000);
  let nodeRed: NodeRedProcess | undefined;
  let userDir: string | undefined;
  let packageDir: string;
  let distDir: string;
  let ours: NodeSetInfo[];

  before(async function () {
    userDir = userDirWithPackage();
    packageDir = installedPackageDir(userDir);
    distDir = path.join(packageDir, 'dist');
    nodeRed = await startNodeRed({ userDir });
    ours = (await nodeSets(nodeRed.url)).filter((set) => set.module === MODULE);
  });

  after(async function () {
    await nodeRed?.stop();
    if (userDir) removeDir(userDir);
  });

  it('registers both node types from the installed module, enabled and loaded', async function () {
    const version = packageVersion(packageDir);
    assert.deepEqual(ours.flatMap((set) => set.types).sort(), NODE_TYPES);
    for (const set of ours) {
      assert.equal(set.enabled, true, `${set.id} enabled`);
      assert.notEqual(set.loaded, false, `${set.id} loaded`);
      assert.equal(set.err, undefined, `${set.id} has no load error`);
      assert.equal(set.version, version);
    }
  });

  // What CI selected (NODE_RED_PACKAGE_DIR, the node on PATH) is what runs, so the suite's header tells the truth.
  it(`runs in Node-RED ${SELECTED_NODE_RED} on Node.js ${process.version}`, function () {
    assert.match(nodeRed!.logs(), new RegExp(`Node-RED version: v${SELECTED_NODE_RED.replaceAll('.', '\\.')}\\b`));
    assert.match(nodeRed!.logs(), new RegExp(`Node\\.js\\s+version: ${process.version.replaceAll('.', '\\.')}\\b`));
  });

  it('loads without a warning or error about the module in the Node-RED log', function () {
    const problems = problemLines(nodeRed!.logs()).filter((line) => line.includes(MODULE) || NODE_TYPES.some((type) => line.includes(type)));
    assert.deepEqual(problems, []);
  });

  it('puts the source node in the AWS palette category with its icon', async function () {
    const response = await admin(nodeRed!.url, '/nodes', { accept: 'text/html' });
    const html = await response.text();
    const definition = html.slice(html.indexOf('registerType("dynamodb-stream-source"'));
    assert.match(definition, /category:\s*"AWS"/);
    assert.match(definition, new RegExp(`icon:\\s*"${ICON}"`));
  });

  // The editor loads these catalogues from GET /nodes/messages?lng=<lang> and shows raw keys for what is missing.
  it('resolves every message key of the editor and the status texts in every shipped language', async function () {
    const languages = readdirSync(path.join(distDir, 'locales'));
    for (const lang of ['en-US', 'de', 'ja']) assert.ok(languages.includes(lang), `${lang} among the shipped languages: ${languages.join(', ')}`);
    const html = NODE_TYPES.map((type) => readFileSync(path.join(distDir, `${type}.html`), 'utf8')).join('\n');
    const used = [...editorKeys(html), ...runtimeKeys(distDir)];
    assert.ok(used.length > 50, `found ${used.length} keys in the editor files`);
    const english = await adminJson<Record<string, Catalog>>(nodeRed!.url, '/nodes/messages?lng=en-US');
    for (const lang of languages) {
      const catalogs = await adminJson<Record<string, Catalog>>(nodeRed!.url, `/nodes/messages?lng=${lang}`);
      const merged: Catalog = Object.assign({}, ...ours.map((set) => catalogs[set.id] ?? {}));
      const unresolved = used.filter((key) => {
        const text = lookup(merged, key);
        return typeof text !== 'string' || text.trim() === '' || text === key;
      });
      assert.deepEqual(unresolved, [], `keys without a text in ${lang}`);
      const missing = ours.flatMap((set) => leafKeys(english[set.id] ?? {})).filter((key) => typeof lookup(merged, key) !== 'string');
      assert.deepEqual(missing, [], `keys of en-US missing in ${lang}`);
    }
  });

  for (const [lang, language] of [['de', 'German'], ['ja', 'Japanese']]) {
    it(`translates the catalogue: ${language} texts differ from the English ones`, async function () {
      const en = await adminJson<Record<string, Catalog>>(nodeRed!.url, '/nodes/messages?lng=en-US');
      const translated = await adminJson<Record<string, Catalog>>(nodeRed!.url, `/nodes/messages?lng=${lang}`);
      for (const set of ours) {
        const keys = leafKeys(en[set.id] ?? {});
        const same = keys.filter((key) => lookup(en[set.id], key) === lookup(translated[set.id], key));
        assert.ok(same.length < keys.length / 4, `${set.id}: ${same.length} of ${keys.length} ${language} texts equal the English ones`);
      }
    });
  }

  it('serves the help of both nodes in each shipped language', async function () {
    const helps: Record<string, string> = {};
    for (const lang of readdirSync(path.join(distDir, 'locales'))) {
      const response = await admin(nodeRed!.url, '/nodes', { accept: 'text/html', language: lang });
      assert.equal(response.status, 200);
      const served = await response.text();
      for (const type of NODE_TYPES) {
        const help = readFileSync(path.join(distDir, 'locales', lang, `${type}.html`), 'utf8');
        assert.match(help, new RegExp(`data-help-name="${type}"`));
        assert.ok(served.includes(help), `help of ${type} in ${lang} is served`);
        helps[`${lang}/${type}`] = help;
      }
    }
    for (const type of NODE_TYPES) assert.notEqual(helps[`de/${type}`], helps[`en-US/${type}`], `${type} has its own German help`);
    for (const type of NODE_TYPES) assert.notEqual(helps[`ja/${type}`], helps[`en-US/${type}`], `${type} has its own Japanese help`);
  });

  it('serves the palette icon of the module', async function () {
    const response = await admin(nodeRed!.url, `/icons/${MODULE}/${ICON}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /image\/svg\+xml/);
    // Node-RED answers an unknown icon with its default icon: compare with the file itself.
    assert.equal(await response.text(), readFileSync(path.join(distDir, 'icons', ICON), 'utf8'));
    const icons = await adminJson<Record<string, string[]>>(nodeRed!.url, '/icons');
    assert.ok(icons[MODULE]?.includes(ICON), 'GET /icons lists the icon under the module');
  });

  it('lists every example flow in Import ▸ Examples, and each is a flow with a source node', async function () {
    const modules = await adminJson<string[]>(nodeRed!.url, '/library/examples/flows/');
    assert.ok(modules.includes(MODULE), `examples of ${modules.join(', ')}`);
    const listed = await adminJson<Array<{ fn: string }>>(nodeRed!.url, `/library/examples/flows/${MODULE}`);
    const files = readdirSync(path.join(packageDir, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(listed.map((entry) => entry.fn).sort(), files.sort());
    for (const name of ['stream-to-debug', 'stream-to-cloudevents-http-sink', 'stream-to-mqtt', 'filter-by-operation', 'document-format-to-change']) {
      assert.ok(files.includes(name), `example ${name} is packed`);
    }
    for (const name of files) {
      const flow = await adminJson<Array<{ type: string }>>(nodeRed!.url, `/library/examples/flows/${MODULE}/${encodeURIComponent(name)}`);
      assert.ok(flow.some((n) => n.type === 'dynamodb-stream-source'), `${name} has a dynamodb-stream-source node`);
      assert.ok(flow.some((n) => n.type === 'comment'), `${name} explains itself in a comment node`);
    }
  });
});
