import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../scripts/dynamodb-local';
import { admin, adminJson, deployFlows, login } from '../support/admin-api';
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
    nodeRed = await startNodeRed({ userDir, settings: { adminAuth: adminAuthSettings() } });
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
