import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Locator, Page } from 'playwright-core';
import { launchLoopbackChromium, type LoopbackBrowser } from '../../scripts/chromium';
import { MODULE, adminJson, waitUntil, type FlowNode } from '../support/admin-api';
import { LOCAL_CREDENTIALS, createTable, localClient, sharedDynamoDbLocal, type TestTable } from '../support/dynamodb';
import { FAST_TIMING } from '../support/node-red';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', '.artifacts', 'screenshots');
const DEBUG_NODE = 'debug1';
/** ARN and region are typedInputs (string or environment variable): people type into the visible input beside the field. */
const ARN_TYPED = '#node-config-input-arn + .red-ui-typedInput-container';
const ARN_TEXT = `${ARN_TYPED} input.red-ui-typedInput-input`;
/** filters is a JSON typedInput: its visible input, and the container the editor marks invalid. */
const FILTERS_TYPED = '#node-input-filters + .red-ui-typedInput-container';
const FILTERS_TEXT = `${FILTERS_TYPED} input.red-ui-typedInput-input`;
/** Node-RED 4 lists the sidebar tabs as links above the sidebar; Node-RED 5 as buttons in a bar beside it. */
const DEBUG_TAB = '#red-ui-tab-debug-link-button, button[data-tab-id="debug"]';

describe('the editor in headless Chromium, used as a person uses it', function () {
  this.timeout(180_000);
  let client: DynamoDBClient;
  let table: TestTable;
  let endpoint: string;
  let nodeRed: NodeRedProcess | undefined;
  let userDir: string | undefined;
  let browser: LoopbackBrowser | undefined;
  let page: Page;
  let sourceId: string;
  let shot = 0;
  let failed = false;

  async function screenshot(name: string): Promise<void> {
    shot += 1;
    await page.screenshot({ path: path.join(SCREENSHOTS, `editor-${String(shot).padStart(2, '0')}-${name}.png`) });
  }

  /** A tray slides in for 250 ms and then focuses its first field: typing earlier loses keys. */
  async function settleTray(): Promise<void> {
    await page.waitForTimeout(600);
  }

  /** Types as a person does (key by key, so the editor's keyup validation runs) and checks the field got it all. */
  async function typeInto(selector: string, text: string): Promise<void> {
    const field = page.locator(selector);
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      await field.click();
      await field.fill('');
      await field.pressSequentially(text, { delay: 2 });
      if ((await field.inputValue()) === text) return;
    }
    assert.equal(await field.inputValue(), text, `${selector} holds what was typed`);
  }

  before(async function () {
    browser = await launchLoopbackChromium({ width: 1400, height: 900 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    ({ endpoint } = await sharedDynamoDbLocal());
    client = localClient(endpoint);
    table = await createTable(client, { prefix: 'browser' });
    userDir = userDirWithPackage();
    nodeRed = await startNodeRed({
      userDir,
      settings: {
        dynamodbStreams: FAST_TIMING,
        // No palette catalogue (it lives on the internet) and no tours or tips in the way.
        editorTheme: { tours: false, palette: { catalogues: [] } },
        externalModules: { palette: { allowInstall: false } },
      },
      // The flow already has a debug node; the source node and its config node are created in the editor below.
      flows: [
        { id: 'tab1', type: 'tab', label: 'Flow 1', disabled: false, info: '' },
        {
          id: DEBUG_NODE,
          type: 'debug',
          z: 'tab1',
          name: 'stream messages',
          active: true,
          tosidebar: true,
          console: false,
          tostatus: false,
          complete: 'topic',
          targetType: 'msg',
          x: 620,
          y: 220,
          wires: [],
        },
      ],
    });
    // Launched before Node-RED so that a missing Chromium fails at once, with its own message.
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(20_000);
  });

  beforeEach(function () {
    if (failed) this.skip(); // each step builds on the one before
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      failed = true;
      await screenshot('failed').catch(() => undefined);
    }
  });

  after(async function () {
    await browser?.close();
    await nodeRed?.stop();
    client?.destroy();
    if (userDir) removeDir(userDir);
  });

  it('opens the editor with the source node in the AWS palette category', async function () {
    await page.goto(nodeRed!.url);
    await page.locator('#red-ui-palette-container-AWS').waitFor();
    await page.locator('#red-ui-palette-search input').pressSequentially('dynamodb', { delay: 20 });
    const paletteNode = page.locator('#red-ui-palette-container-AWS .red-ui-palette-node[data-palette-type="dynamodb-stream-source"]');
    await paletteNode.waitFor();
    assert.equal((await paletteNode.innerText()).trim().replace(/\s+/g, ' '), 'dynamodb stream');
    await screenshot('palette');
  });

  it('drags the source node from the palette onto the workspace', async function () {
    const paletteNode = page.locator('.red-ui-palette-node[data-palette-type="dynamodb-stream-source"]');
    await paletteNode.scrollIntoViewIfNeeded();
    await paletteNode.hover();
    const from = (await paletteNode.boundingBox())!;
    const workspace = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 5, { steps: 5 });
    await page.mouse.move(workspace.x + 150, workspace.y + 120, { steps: 15 });
    await page.mouse.move(workspace.x + 220, workspace.y + 140, { steps: 15 });
    await page.mouse.up();
    sourceId = await waitUntil(
      () => page.evaluate(() => (window as unknown as EditorWindow).RED.nodes.filterNodes({ type: 'dynamodb-stream-source' })[0]?.id),
      10_000,
      'the dropped source node',
    );
    await page.locator(`#red-ui-workspace-chart g[id="${sourceId}"]`).waitFor();
    assert.equal(await page.locator(`g[id="${sourceId}"] .red-ui-flow-node-label-text`).textContent(), 'dynamodb stream');
    await screenshot('dropped');
  });

  it('opens the node dialog and a new config node dialog from it', async function () {
    await page.locator(`g[id="${sourceId}"] rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-startingPosition').waitFor();
    await settleTray();
    await page.locator('#node-input-startingPosition').selectOption('TRIM_HORIZON');
    await page.locator('#node-input-btn-config-add').click();
    await page.locator(ARN_TEXT).waitFor();
    await settleTray();
    await screenshot('config-dialog');
  });

  it("shows the config node's help in the help sidebar from the dialog's book button", async function () {
    await page.locator('.red-ui-tray-footer-left button:has(i.fa-book)').last().click();
    await page.locator('.red-ui-help', { hasText: 'Where a DynamoDB stream is and how to sign in to read it.' }).last().waitFor();
    await screenshot('config-help');
  });

  it('marks a malformed ARN invalid and says what a valid one looks like', async function () {
    const arn = page.locator('#node-config-input-arn');
    await typeInto(ARN_TEXT, 'arn:aws:dynamodb:ddblocal:000000000000:orders');
    await page.locator(ARN_TEXT).blur();
    await waitUntil(async () => /\binput-error\b/.test((await arn.getAttribute('class')) ?? ''), 5_000, 'the ARN field marked invalid');
    // The editor shows the validation message in a tooltip when the pointer enters the field.
    await page.locator('#node-config-input-name').hover();
    await page.locator(ARN_TYPED).hover();
    await page.locator('.red-ui-popover', { hasText: 'Expected arn:aws:dynamodb:REGION:ACCOUNT:table/NAME' }).waitFor();
    await page.waitForTimeout(300); // let the tooltip fade in for the screenshot
    await screenshot('invalid-arn');
  });

  it('accepts a DynamoDB Local table ARN, endpoint and keys', async function () {
    await typeInto(ARN_TEXT, table.arn);
    await typeInto('#node-config-input-endpoint', endpoint);
    await page.locator('#node-config-input-authMode').selectOption('keys');
    await typeInto('#node-config-input-accessKeyId', LOCAL_CREDENTIALS.accessKeyId);
    await typeInto('#node-config-input-secretAccessKey', LOCAL_CREDENTIALS.secretAccessKey);
    await page.locator('#node-config-input-name').click();
    for (const field of ['arn', 'endpoint', 'accessKeyId']) {
      assert.doesNotMatch((await page.locator(`#node-config-input-${field}`).getAttribute('class')) ?? '', /\binput-error\b/, `${field} valid`);
    }
  });

  it('shows the success text after Test connection', async function () {
    await page.locator('#node-config-input-test-connection').click();
    const result = page.locator('#node-config-test-connection-result');
    await result.filter({ hasText: /^Connected: / }).waitFor({ timeout: 30_000 });
    assert.match(await result.innerText(), new RegExp(`^Connected: table ${table.name}, stream ENABLED`));
    await screenshot('test-connection');
  });

  it('adds the config node, closes the dialog and lists the node by table name', async function () {
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-input-config').waitFor();
    assert.equal((await page.locator('#node-input-config option:checked').innerText()).trim(), table.name);
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.equal(await page.locator(`g[id="${sourceId}"] .red-ui-flow-node-label-text`).textContent(), `${table.name} stream`);
  });

  it('wires the source node to the debug node', async function () {
    const out = (await page.locator(`g[id="${sourceId}"] .red-ui-flow-port-output .red-ui-flow-port`).boundingBox())!;
    const into = (await page.locator(`g[id="${DEBUG_NODE}"] .red-ui-flow-port-input .red-ui-flow-port`).boundingBox())!;
    await page.mouse.move(out.x + out.width / 2, out.y + out.height / 2);
    await page.mouse.down();
    await page.mouse.move(into.x + into.width / 2, into.y + into.height / 2, { steps: 12 });
    await page.mouse.up();
    const links = await page.evaluate(
      (id) => (window as unknown as EditorWindow).RED.nodes.filterLinks({ source: { id } }).map((link) => link.target.id),
      sourceId,
    );
    assert.deepEqual(links, [DEBUG_NODE]);
    await screenshot('wired');
  });

  it('deploys, and the runtime holds the config node with its secret in the credentials only', async function () {
    await page.locator('#red-ui-header-button-deploy').click();
    await page.locator('.red-ui-notification', { hasText: 'Successfully deployed' }).waitFor();
    const flows = await adminJson<FlowNode[]>(nodeRed!.url, '/flows');
    const config = flows.find((n) => n.type === 'dynamodb-stream-config');
    assert.ok(config, 'a config node was deployed');
    assert.equal(config.arn, table.arn);
    assert.equal(config.endpoint, endpoint);
    assert.ok(!JSON.stringify(flows).includes(LOCAL_CREDENTIALS.secretAccessKey), 'the secret is not in the flow');
    const credentials = await adminJson<Record<string, unknown>>(nodeRed!.url, `/credentials/dynamodb-stream-config/${config.id}`);
    assert.equal(credentials.has_secretAccessKey, true);
    assert.equal(flows.find((n) => n.id === sourceId)?.config, config.id);
  });

  it('shows the green status under the node', async function () {
    const status = page.locator(`g[id="${sourceId}"] .red-ui-flow-node-status-group`);
    await page.locator(`g[id="${sourceId}"] rect.red-ui-flow-node-status-dot-green`).waitFor({ timeout: 30_000 });
    assert.ok(await status.isVisible());
    assert.notEqual((await status.locator('.red-ui-flow-node-status-label').textContent())?.trim(), '');
    await screenshot('green-status');
  });

  it('shows the changes written to the table in the debug sidebar', async function () {
    const debugList = page.locator('.red-ui-debug-content-list');
    // Node-RED 5 shows the debug tab from the start, and its tab button would hide it again.
    if (!(await debugList.isVisible())) await page.locator(DEBUG_TAB).click();
    await debugList.waitFor();
    await table.put({ pk: { S: 'browser-1' }, note: { S: 'hello from the table' } });
    await table.put({ pk: { S: 'browser-2' }, note: { S: 'second item' } });
    const messages = page.locator('.red-ui-debug-msg', { hasText: `${table.name}/INSERT` });
    await waitUntil(async () => (await messages.count()) >= 2, 30_000, 'two debug messages');
    assert.match(await messages.first().innerText(), /stream messages/);
    await screenshot('debug-sidebar');
  });

  it('marks an invalid filter pattern in the node dialog and says why, and accepts a valid one', async function () {
    await page.locator(`g[id="${sourceId}"] rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-filters').waitFor({ state: 'attached' });
    await settleTray();
    const field = page.locator(FILTERS_TYPED);
    const isMarked = async (): Promise<boolean> => /\binput-error\b/.test((await field.getAttribute('class')) ?? '');
    assert.equal(await isMarked(), false, 'empty filters are valid');

    await typeInto(FILTERS_TEXT, '[{"eventName": [{"starts-with": "IN"}]}]');
    await waitUntil(isMarked, 5_000, 'the filters field marked invalid');
    await page.locator('#node-input-name').hover();
    await field.hover();
    await page.locator('.red-ui-popover', { hasText: 'unknown operator at filters[0] eventName' }).waitFor();
    await page.waitForTimeout(300);
    await screenshot('invalid-filter');

    await typeInto(FILTERS_TEXT, '[{"dynamodb": {"NewImage": {"total": {"N": [{"numeric": [">", "100"]}]}}}}]');
    await page.locator('#node-input-name').hover();
    await field.hover();
    await page.locator('.red-ui-popover', { hasText: 'wrong operand at filters[0] dynamodb.NewImage.total.N' }).waitFor();

    await typeInto(FILTERS_TEXT, '[{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"total": {"N": [{"dynamodb-numeric": [">", 100]}]}}}}]');
    await waitUntil(async () => !(await isMarked()), 5_000, 'the filters field valid again');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  });

  it('shows the failure settings in manual mode, marks an out-of-range maxRetries invalid, and gives the node a labelled second output, failed', async function () {
    await page.locator(`g[id="${sourceId}"] rect.red-ui-flow-node`).dblclick();
    await page.locator('#node-input-ackMode').waitFor();
    await settleTray();
    assert.equal(await page.locator('#node-input-maxRetries').isVisible(), false, 'hidden in auto mode');
    await page.locator('#node-input-ackMode').selectOption('manual');
    assert.equal(await page.locator('#node-input-maxRetries').isVisible(), true);
    assert.equal(await page.locator('#node-input-maxRetries').inputValue(), '-1', 'retry for ever by default');
    assert.equal(await page.locator('#node-input-ordering').isVisible(), true, 'ordering with record output');
    assert.equal(await page.locator('#node-input-bisectOnError').isVisible(), false, 'bisect only for batches');
    const isMarked = async (): Promise<boolean> => /\binput-error\b/.test((await page.locator('#node-input-maxRetries').getAttribute('class')) ?? '');
    await typeInto('#node-input-maxRetries', '-5');
    await waitUntil(isMarked, 5_000, 'maxRetries -5 marked invalid');
    await typeInto('#node-input-maxRetries', '3');
    await waitUntil(async () => !(await isMarked()), 5_000, 'maxRetries 3 valid');
    await page.locator('#node-input-output').selectOption('batch');
    assert.equal(await page.locator('#node-input-bisectOnError').isVisible(), true);
    assert.equal(await page.locator('#node-input-ordering').isVisible(), false);
    await page.locator('#node-input-output').selectOption('record');
    await page.locator('#node-input-ordering').selectOption('key');
    await screenshot('manual-mode-failures');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const node = (window as unknown as EditorWindow).RED.nodes.node(id) as EditorNode & { outputs?: number; maxRetries?: string; ordering?: string; _def: { outputLabels: (this: unknown, i: number) => string } };
      return { outputs: Number(node.outputs), maxRetries: String(node.maxRetries), ordering: node.ordering, failedLabel: node._def.outputLabels.call(node, 1) };
    }, sourceId);
    assert.deepEqual(saved, { outputs: 2, maxRetries: '3', ordering: 'key', failedLabel: 'failed (given up)' });
    await waitUntil(async () => (await page.locator(`g[id="${sourceId}"] .red-ui-flow-port-output`).count()) === 2, 5_000, 'two output ports drawn');
  });

  /**
   * Selects an example in the import dialog's tree, opening the module's folder when it is closed. The tree
   * draws its rows after the dialog opens: a click that lands before them (or on a folder that was opening)
   * selects nothing, and the Import button stays disabled; the click is then made again.
   */
  async function selectExample(tree: Locator, entry: Locator): Promise<void> {
    const importButton = page.locator('#red-ui-clipboard-dialog-ok');
    await tree.locator('.red-ui-treeList-label', { hasText: MODULE }).waitFor();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      if (!(await entry.isVisible())) {
        await tree.locator('.red-ui-treeList-label', { hasText: MODULE }).click();
        await entry.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
      }
      if (await entry.isVisible()) await entry.click();
      for (let wait = 0; wait < 20; wait += 1) {
        if (await importButton.isEnabled()) return;
        await page.waitForTimeout(100);
      }
    }
    assert.fail('the example could not be selected: the Import button stayed disabled');
  }

  it('imports every example from Import ▸ Examples into a new flow, with no node marked invalid', async function () {
    const examples = (await adminJson<Array<{ fn: string }>>(nodeRed!.url, `/library/examples/flows/${MODULE}`)).map((entry) => entry.fn);
    assert.ok(examples.length >= 5, `examples: ${examples.join(', ')}`);
    const problems: string[] = [];
    for (const example of examples) {
      await page.locator('#red-ui-header-button-sidemenu').click();
      await page.locator('#menu-item-import').click();
      await page.locator('#red-ui-clipboard-dialog-import-tabs a', { hasText: 'Examples' }).click();
      const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
      const entry = tree.locator('.red-ui-treeList-label', { hasText: new RegExp(`^${example}$`) });
      await selectExample(tree, entry);
      await page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
      await page.locator('#red-ui-clipboard-dialog-ok').click();
      await page.locator('#red-ui-clipboard-dialog-ok').waitFor({ state: 'hidden' });
      // Imported nodes follow the pointer until a click places them; the editor validates them as it draws them.
      const workspace = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
      await page.mouse.click(workspace.x + 80, workspace.y + workspace.height - 80);
      await page.waitForTimeout(500);
      const invalid = await page.evaluate(() => {
        const RED = (window as unknown as EditorWindow).RED;
        const z = RED.workspaces.active();
        const nodes = RED.nodes.filterNodes({ z });
        const configIds = new Set(nodes.flatMap((n) => [n.config, n.broker].filter((id): id is string => typeof id === 'string' && id !== '')));
        const configs = [...configIds].map((id) => RED.nodes.node(id));
        return [...nodes, ...configs].map((n) => (n ? (n.valid ? '' : `${n.type} ${n.id}: ${JSON.stringify(n.validationErrors ?? [])}`) : 'a missing config node')).filter(Boolean);
      });
      const triangles = await page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group .red-ui-flow-node-error:not(.hide)').count();
      if (triangles > 0) invalid.push(`${triangles} node(s) drawn with the warning triangle`);
      problems.push(...invalid.map((problem) => `${example}: ${problem}`));
      await screenshot(`example-${example}`);
    }
    assert.deepEqual(problems, []);
  });

  // The editor takes its language from localStorage "editor-language" (else the browser's): one fresh page per language.
  const startingPositionLabels: Record<string, string> = {};
  for (const lang of ['en-US', 'de', 'ja']) {
    it(`shows the dialogs of both nodes in ${lang}, with no raw message key`, async function () {
      const languagePage = await browser!.context.newPage();
      try {
        await languagePage.addInitScript((language) => localStorage.setItem('editor-language', language), lang);
        await languagePage.goto(nodeRed!.url);
        await languagePage.locator(`g[id="${sourceId}"] rect.red-ui-flow-node`).dblclick();
        await languagePage.locator('#node-input-cloudeventsMode').waitFor();
        await languagePage.waitForTimeout(600);
        startingPositionLabels[lang] = (await languagePage.locator('label[for="node-input-startingPosition"]').innerText()).trim();
        const texts = await trayTexts(languagePage);
        await languagePage.locator('#node-input-btn-config-edit').click();
        await languagePage.locator('#node-config-input-streamsEndpoint').waitFor();
        await languagePage.waitForTimeout(600);
        texts.push(...(await trayTexts(languagePage)));
        await languagePage.screenshot({ path: path.join(SCREENSHOTS, `editor-language-${lang}.png`) });

        const rawKeys = [...new Set(texts.flatMap((text) => [...text.matchAll(RAW_KEY)].map((match) => match[0])))];
        assert.deepEqual(rawKeys, [], `message keys shown raw in ${lang}`);
        assert.ok(texts.join(' ').length > 500, 'the dialogs have their texts');
      } finally {
        await languagePage.close();
      }
      if (lang !== 'en-US') assert.notEqual(startingPositionLabels[lang], startingPositionLabels['en-US'], `the ${lang} dialog is translated`);
      if (lang === 'ja') assert.match(startingPositionLabels.ja, /[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese text');
    });
  }
});

/** Every text and tooltip of the open edit trays: a message key the catalogue lacks shows up as the key itself. */
async function trayTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.red-ui-tray')).flatMap((tray) => [
      tray.textContent ?? '',
      ...Array.from(tray.querySelectorAll('[placeholder], [title]')).flatMap((element) => [element.getAttribute('placeholder') ?? '', element.getAttribute('title') ?? '']),
    ]),
  );
}

const RAW_KEY = /(dynamodb-stream-(config|source))\.[A-Za-z]+(\.[A-Za-z0-9_]+)*/g;

/** The part of the editor's global RED object the test reads. */
interface EditorNode {
  id: string;
  type: string;
  valid?: boolean;
  validationErrors?: string[];
  config?: unknown;
  broker?: unknown;
}
interface EditorWindow {
  RED: {
    nodes: {
      filterNodes(filter: { type?: string; z?: string }): EditorNode[];
      filterLinks(filter: { source: { id: string } }): Array<{ target: { id: string } }>;
      node(id: string): EditorNode | undefined;
    };
    workspaces: { active(): string };
  };
}
