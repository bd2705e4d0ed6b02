import assert from 'node:assert/strict';
import { InvalidArnError, parseDynamoDbArn, tableArnOfStream } from '../../nodes/lib/arn';
import { ConfigurationError, resolveConnectionSettings, type ConnectionInput, type TypedReferences } from '../../nodes/lib/connection-settings';
import { CONNECTION_FIELDS, CONNECTION_PROPERTIES, expandEnvInProperties, resolveWholeReferences, typedReferences } from '../../nodes/lib/env-references';
import { resolveSourceOptions } from '../../nodes/lib/source-options';

const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders';
const STREAM_ARN = `${TABLE_ARN}/stream/2024-01-01T00:00:00.000`;

describe('engine: parseDynamoDbArn', () => {
  it('parses a table ARN into partition, region, account and table name', () => {
    assert.deepEqual(parseDynamoDbArn(TABLE_ARN), {
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      tableName: 'orders',
      tableArn: TABLE_ARN,
    });
  });

  it('parses a stream ARN whose label holds colons, and knows its table', () => {
    const arn = parseDynamoDbArn(STREAM_ARN);
    assert.equal(arn.streamArn, STREAM_ARN);
    assert.equal(arn.streamLabel, '2024-01-01T00:00:00.000');
    assert.equal(arn.tableName, 'orders');
    assert.equal(arn.tableArn, TABLE_ARN);
    assert.equal(tableArnOfStream(STREAM_ARN), TABLE_ARN);
  });

  it('accepts the aws-cn and aws-us-gov partitions', () => {
    assert.equal(parseDynamoDbArn('arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t_1').partition, 'aws-cn');
    const gov = parseDynamoDbArn('arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/my.table-1/stream/2024-05-06T07:08:09.123');
    assert.equal(gov.partition, 'aws-us-gov');
    assert.equal(gov.region, 'us-gov-west-1');
    assert.equal(gov.tableName, 'my.table-1');
  });

  it("accepts DynamoDB Local's ARNs (region ddblocal, account 000000000000)", () => {
    const arn = parseDynamoDbArn('arn:aws:dynamodb:ddblocal:000000000000:table/Orders/stream/2024-01-01T00:00:00.000');
    assert.equal(arn.region, 'ddblocal');
    assert.equal(arn.accountId, '000000000000');
    assert.equal(arn.tableArn, 'arn:aws:dynamodb:ddblocal:000000000000:table/Orders');
  });

  it('trims surrounding whitespace', () => {
    assert.equal(parseDynamoDbArn(`  ${TABLE_ARN}\n`).tableArn, TABLE_ARN);
  });

  it('rejects another service with a message naming it', () => {
    assert.throws(() => parseDynamoDbArn('arn:aws:s3:eu-west-1:123456789012:table/orders'), (error: unknown) => {
      assert.ok(error instanceof InvalidArnError);
      assert.match(error.message, /service is "s3", not "dynamodb"/);
      return true;
    });
  });

  it('rejects an unknown partition', () => {
    assert.throws(() => parseDynamoDbArn('arn:aws-xx:dynamodb:eu-west-1:123456789012:table/orders'), /unknown partition "aws-xx"/);
  });

  it('rejects an account that is not 12 digits', () => {
    assert.throws(() => parseDynamoDbArn('arn:aws:dynamodb:eu-west-1:12345:table/orders'), /account must be 12 digits/);
  });

  it('rejects a missing region', () => {
    assert.throws(() => parseDynamoDbArn('arn:aws:dynamodb::123456789012:table/orders'), /region is missing/);
  });

  it('rejects table names shorter than 3 characters or with other characters', () => {
    assert.throws(() => parseDynamoDbArn('arn:aws:dynamodb:eu-west-1:123456789012:table/ab'), /3 to 255 characters/);
    assert.throws(() => parseDynamoDbArn('arn:aws:dynamodb:eu-west-1:123456789012:table/a b c'), /3 to 255 characters/);
  });

  it('rejects an index ARN, a bare stream suffix and a non-ARN with the expected shape', () => {
    for (const bad of [
      'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/gsi1',
      'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/',
      'arn:aws:dynamodb:eu-west-1:123456789012:backup/orders',
      'orders',
    ]) {
      assert.throws(() => parseDynamoDbArn(bad), /expected arn:<aws\|aws-cn\|aws-us-gov>:dynamodb/, bad);
    }
  });
});

describe('engine: resolveConnectionSettings', () => {
  const keys = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
  const base: ConnectionInput = { arn: TABLE_ARN, credentials: keys };

  it('defaults to auth mode "keys" and to the region of the ARN', () => {
    const settings = resolveConnectionSettings(base);
    assert.equal(settings.authMode, 'keys');
    assert.equal(settings.region, 'eu-west-1');
    assert.equal(settings.arn.tableName, 'orders');
    assert.equal(settings.endpoint, undefined);
    assert.deepEqual(settings.credentials, { ...keys, sessionToken: undefined });
  });

  it('lets an explicit region win over the ARN region', () => {
    assert.equal(resolveConnectionSettings({ ...base, region: ' us-east-2 ' }).region, 'us-east-2');
  });

  it('requires an ARN', () => {
    assert.throws(() => resolveConnectionSettings({ ...base, arn: '  ' }), (e: unknown) => e instanceof ConfigurationError && /No table or stream ARN/.test(e.message));
  });

  it('requires both keys in auth mode "keys"', () => {
    assert.throws(() => resolveConnectionSettings({ ...base, credentials: { accessKeyId: 'AKID' } }), /needs an access key ID and a secret access key/);
    assert.throws(() => resolveConnectionSettings({ ...base, credentials: { secretAccessKey: 's' } }), /needs an access key ID and a secret access key/);
    assert.throws(() => resolveConnectionSettings({ ...base, credentials: { accessKeyId: ' ', secretAccessKey: ' ' } }), ConfigurationError);
  });

  it('needs no keys for the default credential chain', () => {
    const settings = resolveConnectionSettings({ arn: TABLE_ARN, authMode: 'chain', profile: 'dev' });
    assert.equal(settings.authMode, 'chain');
    assert.equal(settings.profile, 'dev');
  });

  it('requires a valid role ARN for assumeRole, and both keys or none', () => {
    assert.throws(() => resolveConnectionSettings({ arn: TABLE_ARN, authMode: 'assumeRole' }), /needs a role ARN/);
    assert.throws(
      () => resolveConnectionSettings({ arn: TABLE_ARN, authMode: 'assumeRole', roleArn: 'arn:aws:iam::123456789012:user/bob' }),
      /is not an IAM role ARN/,
    );
    assert.throws(
      () =>
        resolveConnectionSettings({
          arn: TABLE_ARN,
          authMode: 'assumeRole',
          roleArn: 'arn:aws:iam::123456789012:role/reader',
          credentials: { accessKeyId: 'AKID' },
        }),
      /Give both the access key ID and the secret access key/,
    );
    const settings = resolveConnectionSettings({
      arn: TABLE_ARN,
      authMode: 'assumeRole',
      roleArn: 'arn:aws:iam::123456789012:role/reader',
      externalId: 'ext',
    });
    assert.equal(settings.roleArn, 'arn:aws:iam::123456789012:role/reader');
    assert.equal(settings.externalId, 'ext');
  });

  it('rejects an unknown auth mode', () => {
    assert.throws(() => resolveConnectionSettings({ ...base, authMode: 'magic' }), /Unknown auth mode "magic"/);
  });

  it('accepts an http(s) endpoint and rejects anything else', () => {
    assert.equal(resolveConnectionSettings({ ...base, endpoint: 'http://127.0.0.1:8000' }).endpoint, 'http://127.0.0.1:8000');
    assert.equal(resolveConnectionSettings({ ...base, endpoint: 'https://dynamodb.eu-west-1.amazonaws.com' }).endpoint, 'https://dynamodb.eu-west-1.amazonaws.com');
    assert.throws(() => resolveConnectionSettings({ ...base, endpoint: 'localhost:8000' }), /must start with http:\/\/ or https:\/\//);
    assert.throws(() => resolveConnectionSettings({ ...base, endpoint: 'ftp://example.com' }), /must start with http:\/\/ or https:\/\//);
    assert.throws(() => resolveConnectionSettings({ ...base, endpoint: 'not a url' }), /is not a URL/);
  });

  it('takes an optional streamsEndpoint (blank: none, so Streams calls use endpoint) and rejects what is not an http(s) URL', () => {
    assert.equal(resolveConnectionSettings(base).streamsEndpoint, undefined);
    assert.equal(resolveConnectionSettings({ ...base, endpoint: 'http://127.0.0.1:8000', streamsEndpoint: '  ' }).streamsEndpoint, undefined);
    const separate = resolveConnectionSettings({
      ...base,
      endpoint: 'https://vpce-1-a.dynamodb.eu-west-1.vpce.amazonaws.com',
      streamsEndpoint: ' https://vpce-2-b.streams.dynamodb.eu-west-1.vpce.amazonaws.com ',
    });
    assert.equal(separate.endpoint, 'https://vpce-1-a.dynamodb.eu-west-1.vpce.amazonaws.com');
    assert.equal(separate.streamsEndpoint, 'https://vpce-2-b.streams.dynamodb.eu-west-1.vpce.amazonaws.com');
    assert.throws(() => resolveConnectionSettings({ ...base, streamsEndpoint: 'ftp://streams.local' }), /^ConfigurationError: The Streams endpoint "ftp:\/\/streams.local" must start with http:\/\/ or https:\/\//);
    assert.throws(() => resolveConnectionSettings({ ...base, streamsEndpoint: 'not a url' }), /^ConfigurationError: The Streams endpoint "not a url" is not a URL/);
    assert.throws(() => resolveConnectionSettings({ ...base, streamsEndpoint: 'x' }, { streamsEndpoint: '${SEP}' }), /^ConfigurationError: The Streams endpoint \(from \$\{SEP\}\) is not a URL/);
  });

  it('passes an invalid ARN on as an InvalidArnError', () => {
    assert.throws(() => resolveConnectionSettings({ ...base, arn: 'arn:aws:sqs:eu-west-1:123456789012:table/orders' }), InvalidArnError);
  });

  it('names a value that came from a ${VAR} reference by the reference as typed, never by the value', () => {
    const cases: [ConnectionInput, TypedReferences, RegExp][] = [
      [{ ...base, endpoint: 'value-1' }, { endpoint: '${EP}' }, /^The endpoint \(from \$\{EP\}\) is not a URL/],
      [{ ...base, endpoint: 'ftp://value-1' }, { endpoint: 'ftp://${HOST}' }, /^The endpoint \(from ftp:\/\/\$\{HOST\}\) must start with http/],
      [{ ...base, arn: 'arn:value-1:dynamodb:eu-west-1:123456789012:table/orders' }, { arn: '${ARN}' }, /^Invalid DynamoDB ARN \(from \$\{ARN\}\): unknown partition; expected arn:/],
      [{ ...base, arn: 'arn:aws:value-1:eu-west-1:123456789012:table/orders' }, { arn: '${ARN}' }, /^Invalid DynamoDB ARN \(from \$\{ARN\}\): the service is not "dynamodb"$/],
      [{ ...base, authMode: 'value-1' }, { authMode: '${MODE}' }, /^Unknown auth mode \(from \$\{MODE\}\); use one of keys, chain, assumeRole$/],
      [{ arn: TABLE_ARN, authMode: 'assumeRole', roleArn: 'value-1' }, { roleArn: '${ROLE}' }, /^The role ARN \(from \$\{ROLE\}\) is not an IAM role ARN/],
    ];
    for (const [input, references, expected] of cases) {
      assert.throws(() => resolveConnectionSettings(input, references), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.match(error.message, expected);
        assert.ok(!error.message.includes('value-1'), error.message);
        return true;
      });
    }
  });

  it('names a value typed as it is, quoted', () => {
    assert.throws(() => resolveConnectionSettings({ ...base, endpoint: 'not a url' }), /^ConfigurationError: The endpoint "not a url" is not a URL/);
    assert.throws(() => resolveConnectionSettings({ arn: TABLE_ARN, authMode: 'assumeRole', roleArn: 'x' }), /^ConfigurationError: The role ARN "x" is not an IAM role ARN/);
  });
});

describe('engine: ${VAR} references in the config node properties', () => {
  const settings: Record<string, unknown> = { EP: 'http://127.0.0.1:8000', REGION: 'eu-west-1', PORT: 8000, EMPTY: '' };
  const lookup = (name: string): unknown => settings[name];

  it('resolves a value that is one whole reference as Node-RED does: ${NAME} or $(NAME), left as typed when the setting is missing', () => {
    const typed: Partial<ConnectionInput> = { arn: 'x', endpoint: '${EP}', region: '$(REGION)', profile: '${MISSING}', roleArn: 'a${EP}' };
    const resolved = resolveWholeReferences(typed, CONNECTION_FIELDS, lookup);
    assert.deepEqual(resolved, { arn: 'x', endpoint: 'http://127.0.0.1:8000', region: 'eu-west-1', profile: '${MISSING}', roleArn: 'a${EP}' });
  });

  it('then expands references inside values as the config node does, unknown ones to empty text, numbers to text', () => {
    const typed: Partial<ConnectionInput> = { arn: 'arn:${REGION}:${MISSING}', endpoint: 'http://h:${PORT}', region: 8000 as unknown as string };
    const expanded = expandEnvInProperties(typed, CONNECTION_PROPERTIES, lookup);
    assert.deepEqual(expanded, { arn: 'arn:eu-west-1:', endpoint: 'http://h:8000', region: '8000' });
  });

  it('lists the fields typed with a reference, as typed', () => {
    assert.deepEqual(typedReferences({ arn: 'arn:aws:dynamodb:${R}:1:table/t', endpoint: 'http://x', region: '$(REGION)', profile: '' }), {
      arn: 'arn:aws:dynamodb:${R}:1:table/t',
      region: '$(REGION)',
    });
  });
});

describe('engine: resolveSourceOptions', () => {
  it('fills the documented defaults', () => {
    const options = resolveSourceOptions({});
    assert.equal(options.startingPosition, 'LATEST');
    assert.equal(options.batchSize, 100);
    assert.equal(options.output, 'record');
    assert.equal(options.dataFormat, 'triggermesh');
    assert.deepEqual([...options.eventNames], ['INSERT', 'MODIFY', 'REMOVE']);
    assert.equal(options.checkpointStore, 'none');
    assert.equal(options.ackMode, 'auto');
    assert.equal(options.maxInFlight, 100);
  });

  it('takes cloudeventsMode binary (the default, also for flows saved before it existed) or structured, nothing else', () => {
    assert.equal(resolveSourceOptions({}).cloudeventsMode, 'binary');
    assert.equal(resolveSourceOptions({ cloudeventsMode: '' }).cloudeventsMode, 'binary');
    assert.equal(resolveSourceOptions({ cloudeventsMode: 'structured' }).cloudeventsMode, 'structured');
    assert.throws(() => resolveSourceOptions({ cloudeventsMode: 'batch' }), /cloudeventsMode must be one of binary, structured \(got "batch"\)/);
  });

  it('treats empty strings as defaults (as the editor saves them)', () => {
    const options = resolveSourceOptions({ startingPosition: '', batchSize: '', eventNames: '' });
    assert.equal(options.startingPosition, 'LATEST');
    assert.equal(options.batchSize, 100);
    assert.equal(options.eventNames.size, 3);
  });

  it('accepts batch sizes from 1 to 1000, as numbers or strings', () => {
    assert.equal(resolveSourceOptions({ batchSize: 1 }).batchSize, 1);
    assert.equal(resolveSourceOptions({ batchSize: '1000' }).batchSize, 1000);
    assert.equal(resolveSourceOptions({ batchSize: ' 25 ' }).batchSize, 25);
  });

  it('rejects batch sizes outside 1..1000 or not whole', () => {
    for (const bad of [0, 1001, '1.5', 'abc', -3]) {
      assert.throws(() => resolveSourceOptions({ batchSize: bad }), /batchSize must be a whole number from 1 to 1000/, String(bad));
    }
  });

  it('parses eventNames from a comma list (any case, spaces) or an array', () => {
    assert.deepEqual([...resolveSourceOptions({ eventNames: 'insert, Remove' }).eventNames], ['INSERT', 'REMOVE']);
    assert.deepEqual([...resolveSourceOptions({ eventNames: ['MODIFY'] }).eventNames], ['MODIFY']);
  });

  it('rejects unknown event names and an empty selection', () => {
    assert.throws(() => resolveSourceOptions({ eventNames: 'INSERT,UPSERT' }), /eventNames may hold INSERT, MODIFY, REMOVE only \(got "UPSERT"\)/);
    assert.throws(() => resolveSourceOptions({ eventNames: ' , ' }), /Select at least one/);
    assert.throws(() => resolveSourceOptions({ eventNames: [] }), /Select at least one/);
  });

  it('rejects an unknown starting position, output or data format', () => {
    assert.throws(() => resolveSourceOptions({ startingPosition: 'AT_TIMESTAMP' }), /startingPosition must be one of LATEST, TRIM_HORIZON/);
    assert.throws(() => resolveSourceOptions({ output: 'stream' }), /output must be one of record, batch/);
    assert.throws(() => resolveSourceOptions({ dataFormat: 'xml' }), /dataFormat must be one of/);
  });
});
