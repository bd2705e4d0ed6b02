export interface DynamoDbArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly tableName: string;
  readonly tableArn: string;
  /** Set when the ARN names one stream of the table rather than the table itself. */
  readonly streamArn?: string;
  readonly streamLabel?: string;
}

export class InvalidArnError extends Error {
  /** The reason without any part of the ARN, for a message that must not show the value. */
  readonly reasonWithoutValue: string;

  constructor(readonly arn: string, reason: string, reasonWithoutValue = reason) {
    super(`Invalid DynamoDB ARN "${arn}": ${reason}`);
    this.name = 'InvalidArnError';
    this.reasonWithoutValue = reasonWithoutValue;
  }
}

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'];
const EXPECTED_SHAPE =
  'expected arn:<aws|aws-cn|aws-us-gov>:dynamodb:<region>:<12-digit account>:table/<name> or …:table/<name>/stream/<label>';
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const REGION = /^[a-z0-9-]+$/;
const ACCOUNT = /^\d{12}$/;

export function parseDynamoDbArn(value: string): DynamoDbArn {
  const arn = value.trim();
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new InvalidArnError(arn, EXPECTED_SHAPE);
  const [, partition, service, region, accountId] = parts;
  const resource = parts.slice(5).join(':');
  if (!PARTITIONS.includes(partition)) {
    throw new InvalidArnError(arn, `unknown partition "${partition}"; ${EXPECTED_SHAPE}`, `unknown partition; ${EXPECTED_SHAPE}`);
  }
  if (service !== 'dynamodb') throw new InvalidArnError(arn, `service is "${service}", not "dynamodb"`, 'the service is not "dynamodb"');
  if (!REGION.test(region)) throw new InvalidArnError(arn, 'the region is missing');
  if (!ACCOUNT.test(accountId)) throw new InvalidArnError(arn, 'the account must be 12 digits');

  const segments = resource.split('/');
  if (segments[0] !== 'table' || segments.length < 2) throw new InvalidArnError(arn, EXPECTED_SHAPE);
  const tableName = segments[1];
  if (!TABLE_NAME.test(tableName)) {
    throw new InvalidArnError(arn, 'table names have 3 to 255 characters among a-z, A-Z, 0-9, "_", "-" and "."');
  }
  const tableArn = `arn:${partition}:dynamodb:${region}:${accountId}:table/${tableName}`;
  if (segments.length === 2) return { partition, region, accountId, tableName, tableArn };
  const streamLabel = segments.slice(3).join('/');
  if (segments[2] !== 'stream' || !streamLabel) throw new InvalidArnError(arn, EXPECTED_SHAPE);
  return { partition, region, accountId, tableName, tableArn, streamArn: arn, streamLabel };
}

/** The table ARN a stream ARN belongs to (DescribeStream answers with stream ARNs only). */
export function tableArnOfStream(streamArn: string): string {
  return parseDynamoDbArn(streamArn).tableArn;
}
