import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../scripts/dynamodb-local';
import { admin, adminJson, deployFlows, login, waitUntil, type FlowNode } from '../support/admin-api';
import { LOCAL_CREDENTIALS, createTable, localClient, sharedDynamoDbLocal, tableArn, type TestTable } from '../support/dynamodb';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';

const ENDPOINT_PATH = '/dynamodb-stream-config/test-connection';
const PASSWORD = 'correct horse battery staple';
/** The secret typed into the dialog, and the one saved with a deployed config node: neither may come back. */
const TYPED_SECRET = `typed-${randomBytes(12).toString('hex')}`;
const SAVED_SECRET = `saved-${randomBytes(12).toString('hex')}`;

interface CheckResult {
  ok: boolean;
  message: string;
  stream?: { arn: string; status: string; viewType?: string; shards: number; openShards: number };
}

/** The admin users, with the bcrypt hashes Node-RED's adminAuth expects (bcryptjs ships with Node-RED's editor API). */
function adminAuthSettings(): Record<string, unknown> {
  const bcrypt = createRequire(require.resolve('@node-red/editor-api/package.json'))('bcryptjs') as {
    hashSync(password: string, rounds: number): string;
  };
  const hash = bcrypt.hashSync(PASSWORD, 8);
  return {
    type: 'credentials',
    users: [
      { username: 'admin', password: hash, permissions: '*' },
      { username: 'reader', password: hash, permissions: 'read' },
    ],
    // Anonymous visitors may read (the support helper waits for GET /settings to answer): never write.
    default: { permissions: 'read' },
  };
}

describe('the Test connection admin endpoint in a spawned Node-RED with adminAuth', function () {
  this.timeout(120_000);
  let client: DynamoDBClient;
  let table: TestTable;
  let endpoint: string;
  let nodeRed: NodeRedProcess | undefined;
  let userDir: string | undefined;
  let adminToken: string;
  const answers: string[] = [];

  /** POSTs what the config dialog sends; keeps every answer to check for leaked secrets. */
  async function check(body: Record<string, unknown>, token: string | null = adminToken): Promise<{ status: number; result?: CheckResult }> {
    const response = await admin(nodeRed!.url, ENDPOINT_PATH, { json: body, token: token ?? undefined, accept: 'application/json' });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, result: response.ok ? (JSON.parse(text) as CheckResult) : undefined };
  }

  /** A full deploy, then the wait for its start: Node-RED answers the deploy before the flows have started. */
  async function deployAndStart(flows: FlowNode[]): Promise<void> {
    const started = (): number => nodeRed!.logs().split('Started flows').length;
    const before = started();
    await deployFlows(nodeRed!.url, flows, adminToken);
    await waitUntil(() => started() > before, 30_000, 'the deployed flows to start');
  }

  function dialog(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      arn: table.arn,
      region: '',
      endpoint,
      authMode: 'keys',
      roleArn: '',
      externalId: '',
      profile: '',
      credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: TYPED_SECRET, sessionToken: '' },
      ...overrides,
    };
  }

  before(async function () {
    ({ endpoint } = await sharedDynamoDbLocal());
    client = localClient(endpoint);
    table = await createTable(client, { prefix: 'admin' });
    userDir = userDirWithPackage();
    nodeRed = await startNodeRed({ userDir, settings: { adminAuth: adminAuthSettings() }, env: { E2E_PROCESS_ENDPOINT: endpoint } });
    adminToken = await login(nodeRed.url, 'admin', PASSWORD);
  });

  after(async function () {
    await nodeRed?.stop();
    client?.destroy();
    if (userDir) removeDir(userDir);
  });

  it('refuses a call without a token with 401', async function () {
    const { status, result } = await check(dialog(), null);
    assert.equal(status, 401);
    assert.equal(result, undefined);
  });

  it('refuses a read-only user: Node-RED (4.1 and 5.0 alike) answers a missing permission with 401, not 403', async function () {
    const readToken = await login(nodeRed!.url, 'reader', PASSWORD, 'read');
    assert.equal((await admin(nodeRed!.url, '/flows', { token: readToken })).status, 200, 'the read-only token itself is valid');
    const { status, result } = await check(dialog(), readToken);
    assert.equal(status, 401);
    assert.equal(result, undefined);
  });

  it('reports the table, its stream status, view type and shards to a user with full permissions', async function () {
    const { status, result } = await check(dialog());
    assert.equal(status, 200);
    assert.equal(result?.ok, true, result?.message);
    assert.match(result.message, new RegExp(`^Connected: table ${table.name}, stream ENABLED \\(NEW_AND_OLD_IMAGES\\), 1 shard\\(s\\), 1 open\\.$`));
    assert.equal(result.stream?.status, 'ENABLED');
    assert.match(result.stream?.arn ?? '', new RegExp(`^${table.arn}/stream/`));
  });

  it('explains an invalid ARN and what a valid one looks like', async function () {
    const garbled = await check(dialog({ arn: 'orders' }));
    assert.equal(garbled.result?.ok, false);
    assert.match(garbled.result.message, /^Invalid DynamoDB ARN "orders": expected arn:<aws\|aws-cn\|aws-us-gov>:dynamodb:<region>:<12-digit account>:table\/<name>/);
    const shortAccount = await check(dialog({ arn: 'arn:aws:dynamodb:eu-central-1:12345:table/orders' }));
    assert.equal(shortAccount.result?.ok, false);
    assert.match(shortAccount.result.message, /^Invalid DynamoDB ARN ".*": the account must be 12 digits/);
  });

  it('hints at the region when a table is missing on a local endpoint', async function () {
    const { result } = await check(dialog({ arn: tableArn('no-such-table') }));
    assert.equal(result?.ok, false);
    assert.match(result.message, /^Table no-such-table not found in http:\/\/127\.0\.0\.1:\d+\./);
    assert.match(result.message, /DynamoDB Local keeps one database per access key and region: set Region to the region the table was created with/);
  });

  it('hints at the region when the dialog names another region than the table was created in', async function () {
    const { result } = await check(dialog({ region: 'eu-central-1' }));
    assert.equal(result?.ok, false);
    assert.match(result.message, new RegExp(`^Table ${table.name} not found in .*set Region to the region the table was created with`));
  });

  it('says "Cannot reach" for an endpoint where nothing listens', async function () {
    const { result } = await check(dialog({ endpoint: `http://127.0.0.1:${await freePort()}` }));
    assert.equal(result?.ok, false);
    assert.match(result.message, /^Cannot reach http:\/\/127\.0\.0\.1:\d+/);
  });

  it('uses the saved secret of a deployed config node when the dialog sends the unchanged-password marker', async function () {
    await deployFlows(
      nodeRed!.url,
      [
        {
          id: 'cfg1',
          type: 'dynamodb-stream-config',
          name: '',
          ...dialog({ credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: SAVED_SECRET } }),
        },
      ],
      adminToken,
    );
    const saved = await adminJson<Record<string, unknown>>(nodeRed!.url, '/credentials/dynamodb-stream-config/cfg1', { token: adminToken });
    assert.deepEqual(saved, { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, has_secretAccessKey: true, has_sessionToken: false });

    const unchanged = { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: '__PWRD__', sessionToken: '' };
    const withSaved = await check(dialog({ id: 'cfg1', credentials: unchanged }));
    assert.equal(withSaved.result?.ok, true, withSaved.result?.message);
    // Without a saved node behind the marker there is no secret: the check says so instead of sending "__PWRD__".
    const withoutSaved = await check(dialog({ id: 'no-such-node', credentials: unchanged }));
    assert.equal(withoutSaved.result?.ok, false);
    assert.match(withoutSaved.result.message, /needs an access key ID and a secret access key/);
  });

  it('checks the table through endpoint and the stream through streamsEndpoint, and says which one fails', async function () {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const both = await check(dialog({ streamsEndpoint: endpoint }));
    assert.equal(both.result?.ok, true, both.result?.message);
    const streamsDown = await check(dialog({ streamsEndpoint: nowhere }));
    assert.equal(streamsDown.result?.ok, false);
    assert.equal(streamsDown.result.message, `Cannot reach the Streams endpoint ${nowhere}: network error (ECONNREFUSED)`);
    const tableDown = await check(dialog({ endpoint: nowhere, streamsEndpoint: endpoint }));
    assert.equal(tableDown.result?.ok, false);
    assert.equal(tableDown.result.message, `Cannot reach ${nowhere}: network error (ECONNREFUSED)`);
    const invalid = await check(dialog({ streamsEndpoint: 'streams.dynamodb' }));
    assert.equal(invalid.result?.ok, false);
    assert.match(invalid.result.message, /^The Streams endpoint "streams.dynamodb" is not a URL/);
  });

  it('resolves ${VAR} from the process environment, as the runtime does', async function () {
    const { result } = await check(dialog({ endpoint: '${E2E_PROCESS_ENDPOINT}' }));
    assert.equal(result?.ok, true, result?.message);
  });

  it('resolves ${VAR} from the environment variables of the editor settings (global-config), also inside a value', async function () {
    const env = [
      { name: 'E2E_TABLE', value: table.name, type: 'str' },
      { name: 'E2E_GLOBAL_ENDPOINT', value: endpoint, type: 'str' },
    ];
    await deployAndStart([{ id: 'gc1', type: 'global-config', env }]);

    const { result } = await check(dialog({ arn: table.arn.replace(table.name, '${E2E_TABLE}'), endpoint: '${E2E_GLOBAL_ENDPOINT}' }));

    assert.equal(result?.ok, true, result?.message);
    assert.match(result.message, new RegExp(`^Connected: table ${table.name},`));
  });

  it('resolves ${VAR} from the env of the flow a config node is scoped to, deployed or not yet', async function () {
    await deployAndStart([
      {
        id: 't1',
        type: 'tab',
        label: 'scoped',
        env: [
          { name: 'E2E_FLOW_ARN', value: table.arn, type: 'str' },
          { name: 'E2E_FLOW_ENDPOINT', value: endpoint, type: 'str' },
        ],
      },
      { id: 'note1', type: 'comment', z: 't1', name: 'a node of the flow' },
      { id: 'cfgFlow', type: 'dynamodb-stream-config', z: 't1', name: '', ...dialog({ arn: '${E2E_FLOW_ARN}', endpoint: '${E2E_FLOW_ENDPOINT}' }) },
    ]);
    const fromFlowEnv = { arn: '${E2E_FLOW_ARN}', endpoint: '${E2E_FLOW_ENDPOINT}' };

    const deployed = await check(dialog({ id: 'cfgFlow', z: 't1', ...fromFlowEnv }));
    assert.equal(deployed.result?.ok, true, deployed.result?.message);
    const added = await check(dialog({ id: 'not-deployed-yet', z: 't1', ...fromFlowEnv }));
    assert.equal(added.result?.ok, true, added.result?.message);
    const elsewhere = await check(dialog({ id: 'not-deployed-yet', z: '', ...fromFlowEnv }));
    assert.equal(elsewhere.result?.ok, false);
    assert.equal(elsewhere.result.message, 'No table or stream ARN is configured', 'a global config node does not see the env of a flow');
  });

  it('names the field and the ${VAR} reference, never the value it expanded to, when that value is wrong', async function () {
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const values = {
      E2E_BAD_ENDPOINT: 'not-a-url-expanded-value-7731',
      E2E_FTP_ENDPOINT: 'ftp://expanded-value-7732.example',
      E2E_BAD_ARN: 'arn:aws-xx:dynamodb:eu-west-1:123456789012:table/expanded-value-7733',
      E2E_BAD_ROLE: 'role-expanded-value-7734',
      E2E_UNREACHABLE: unreachable,
    };
    const env = Object.entries(values).map(([name, value]) => ({ name, value, type: 'str' }));
    await deployAndStart([{ id: 'gc1', type: 'global-config', env }]);

    const cases: [Record<string, unknown>, RegExp][] = [
      [{ endpoint: '${E2E_BAD_ENDPOINT}' }, /^The endpoint \(from \$\{E2E_BAD_ENDPOINT\}\) is not a URL/],
      [{ endpoint: '${E2E_FTP_ENDPOINT}' }, /^The endpoint \(from \$\{E2E_FTP_ENDPOINT\}\) must start with http:\/\/ or https:\/\//],
      [{ arn: '${E2E_BAD_ARN}' }, /^Invalid DynamoDB ARN \(from \$\{E2E_BAD_ARN\}\): unknown partition/],
      [{ authMode: 'assumeRole', roleArn: '${E2E_BAD_ROLE}' }, /^The role ARN \(from \$\{E2E_BAD_ROLE\}\) is not an IAM role ARN/],
      [{ endpoint: '${E2E_UNREACHABLE}' }, /^Cannot reach the endpoint \(from \$\{E2E_UNREACHABLE\}\)/],
      [{ arn: tableArn('${E2E_BAD_ROLE}') }, /^Table \(from arn:aws:dynamodb:ddblocal:000000000000:table\/\$\{E2E_BAD_ROLE\}\) not found/],
    ];
    for (const [fields, expected] of cases) {
      const { result } = await check(dialog(fields));
      assert.equal(result?.ok, false, JSON.stringify(fields));
      assert.match(result.message, expected);
      for (const value of Object.values(values)) assert.ok(!result.message.includes(value), `${value} echoed: ${result.message}`);
    }
    const { result } = await check(dialog({ endpoint: '${E2E_UNREACHABLE}' }));
    assert.ok(!result?.message.includes(new URL(unreachable).port), `the port of ${unreachable} echoed: ${result?.message}`);
  });

  it('never sends back a secret, typed or saved, nor writes one to the log', function () {
    assert.ok(answers.length >= 10, `${answers.length} answers collected`);
    for (const answer of answers) {
      assert.ok(!answer.includes(TYPED_SECRET), `typed secret echoed: ${answer}`);
      assert.ok(!answer.includes(SAVED_SECRET), `saved secret echoed: ${answer}`);
      assert.ok(!answer.includes('__PWRD__'), `marker echoed: ${answer}`);
    }
    assert.ok(!nodeRed!.logs().includes(TYPED_SECRET) && !nodeRed!.logs().includes(SAVED_SECRET), 'no secret in the log');
  });
});
