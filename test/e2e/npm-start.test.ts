import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PROCESSES_PREFIX, READY_PREFIX, type DemoProcesses } from '../../scripts/demo/banner';
import { DEMO_FLOW_FILE, DEMO_TAB_LABEL } from '../../scripts/demo/flow';
import { RECEIVER_LINE_PREFIX } from '../../scripts/demo/receiver-log';
import { delay } from '../support/collect';

const root = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

type FlowNode = Record<string, unknown> & { id: string; type: string };

describe('npm start: the demo in one command, on free ports', function () {
  this.timeout(240_000);
  let child: ChildProcess;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let editorUrl: string;
  let processes: DemoProcesses;

  const lines = (): string[] => output.split('\n');
  const receivedEvents = (): string[] => lines().filter((line) => line.startsWith(RECEIVER_LINE_PREFIX));

  /** Polls the demo's output; fails at once, with the output, when the demo has exited. */
  async function waitForOutput<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (child.exitCode !== null || child.signalCode !== null) assert.fail(`npm start exited before ${what}:\n${output}`);
      if (Date.now() > deadline) assert.fail(`no ${what} within ${timeoutMs} ms:\n${output}`);
      await delay(100);
    }
  }

  before(async function () {
    // Its own process group, so that `after` can stop whatever is left should a test fail.
    child = spawn(NPM, ['start', '--', '--port', '0', '--ddb-port', '0', '--sink-port', '0'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const ready = await waitForOutput(() => lines().find((line) => line.startsWith(READY_PREFIX)), 200_000, 'ready line');
    editorUrl = ready.slice(READY_PREFIX.length).split(/\s/)[0];
    const processesLine = lines().find((line) => line.startsWith(PROCESSES_PREFIX));
    assert.ok(processesLine, `a "${PROCESSES_PREFIX}" line before the ready line:\n${output}`);
    processes = JSON.parse(processesLine.slice(PROCESSES_PREFIX.length)) as DemoProcesses;
  });

  after(function () {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('prints the editor URL on 127.0.0.1 and the ports it chose', function () {
    assert.match(editorUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(editorUrl, `http://127.0.0.1:${processes.nodeRed.port}/`);
    assert.ok(processes.dynamodbLocal && processes.dynamodbLocal.port > 0, 'DynamoDB Local port');
    assert.ok(processes.receiver.port > 0, 'receiver port');
    assert.equal(processes.nodeRed.userDir, path.join(root, '.demo', 'userdir'));
  });

  it('deploys the demo flow from examples/ (admin API GET /flows)', async function () {
    const response = await fetch(`${editorUrl}flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
    assert.equal(response.status, 200);
    const { flows } = (await response.json()) as { flows: FlowNode[] };
    const example = JSON.parse(readFileSync(DEMO_FLOW_FILE, 'utf8')) as FlowNode[];
    const deployed = new Map(flows.map((node) => [node.id, node]));
    for (const node of example) assert.equal(deployed.get(node.id)?.type, node.type, `node ${node.id} (${node.type}) is deployed`);
    assert.ok(flows.some((node) => node.type === 'tab' && node.label === DEMO_TAB_LABEL), 'the demo tab');
    const config = flows.find((node) => node.type === 'dynamodb-stream-config');
    assert.equal(config?.arn, '${DDB_TABLE_ARN}', 'the deployed flow keeps its environment references');
    assert.equal(config?.authMode, 'chain');
  });

  it("delivers the writer's INSERT, MODIFY and REMOVE as CloudEvents to the receiver", async function () {
    await waitForOutput(() => {
      const operations = new Set(receivedEvents().map((line) => /operation=(\w+)/.exec(line)?.[1]));
      return ['INSERT', 'MODIFY', 'REMOVE'].every((operation) => operations.has(operation)) || undefined;
    }, 30_000, 'CloudEvent of each operation at the receiver');
    for (const line of receivedEvents()) {
      assert.match(line, /type=com\.amazon\.dynamodb\.stream_record operation=(INSERT|MODIFY|REMOVE) subject=pk=\S+,sk=\d+ id=\S+$/);
    }
  });

  it('writes an item when the flow\'s "write an item now" button is pressed', async function () {
    const inject = (JSON.parse(readFileSync(DEMO_FLOW_FILE, 'utf8')) as FlowNode[]).find((node) => node.type === 'inject');
    assert.ok(inject, 'the example has an inject node');
    const response = await fetch(`${editorUrl}inject/${inject.id}`, { method: 'POST' });
    assert.equal(response.status, 200);
    await waitForOutput(() => receivedEvents().find((line) => line.includes('operation=INSERT subject=pk=button,')), 30_000, 'CloudEvent of the button');
  });

  it('on SIGINT stops every process it started, frees its ports and exits with code 0 within 20 s', async function () {
    const running = leftoverProcesses(processes);
    for (const what of [`${processes.pid}: `, `${processes.nodeRed.pid}: `, 'DynamoDBLocal.jar']) {
      assert.ok(running.some((entry) => entry.includes(what)), `before SIGINT the check sees ${what}: ${running.join('\n')}`);
    }
    child.kill('SIGINT'); // to npm only: the demo must pass it on and stop its children itself
    const result = await Promise.race([exit, delay(20_000).then(() => undefined)]);
    assert.ok(result, `npm start still running 20 s after SIGINT:\n${output.slice(-3000)}`);
    assert.deepEqual(result, { code: 0, signal: null }, output.slice(-3000));
    assert.match(output, /Demo stopped\./);
    assert.deepEqual(leftoverProcesses(processes), []);
    const ports = [processes.nodeRed.port, processes.receiver.port, processes.dynamodbLocal!.port];
    for (const port of ports) assert.ok(await canListen(port), `port ${port} is free again`);
  });
});

/** Processes of the demo still alive: the ones it named, any inside its user dir, its DynamoDB Local. */
function leftoverProcesses(demo: DemoProcesses): string[] {
  const leftovers: string[] = [];
  const ddbPort = String(demo.dynamodbLocal?.port);
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let args: string[];
    let cwd = '';
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    const commandLine = args.join(' ');
    // Node-RED renames its process title (so its command line loses --userDir), but runs inside the user dir.
    const inUserDir = commandLine.includes(demo.nodeRed.userDir) || cwd.startsWith(demo.nodeRed.userDir);
    const isDemoDynamoDb = args.some((arg) => arg.endsWith('DynamoDBLocal.jar')) && args[args.indexOf('-port') + 1] === ddbPort;
    const named = [demo.pid, demo.nodeRed.pid].includes(Number(pid));
    if (inUserDir || isDemoDynamoDb || named) leftovers.push(`${pid}: ${commandLine}`);
  }
  return leftovers;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
