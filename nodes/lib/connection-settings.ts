import { InvalidArnError, parseDynamoDbArn, type DynamoDbArn } from './arn';

export type AuthMode = 'keys' | 'chain' | 'assumeRole';
export const AUTH_MODES: readonly AuthMode[] = ['keys', 'chain', 'assumeRole'];

export interface AwsCredentialsInput {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** What a config node holds, before validation (values as typed in the editor). */
export interface ConnectionInput {
  arn: string;
  region?: string;
  endpoint?: string;
  /** A separate URL for DynamoDB Streams calls; empty: `endpoint`. */
  streamsEndpoint?: string;
  authMode?: string;
  roleArn?: string;
  externalId?: string;
  profile?: string;
  credentials?: AwsCredentialsInput;
}

/** The URL DynamoDB Streams calls go to; undefined: the AWS endpoint of the region. */
export function streamsEndpointOf(settings: ConnectionSettings): string | undefined {
  return settings.streamsEndpoint ?? settings.endpoint;
}

export interface ConnectionSettings {
  readonly arn: DynamoDbArn;
  readonly region: string;
  /** For DynamoDB calls, and for DynamoDB Streams calls unless `streamsEndpoint` is set. */
  readonly endpoint?: string;
  readonly streamsEndpoint?: string;
  readonly authMode: AuthMode;
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly profile?: string;
  readonly credentials: AwsCredentialsInput;
}

/** The fields of a config node whose values may come from `${NAME}` references. */
export type ConnectionField = 'arn' | 'region' | 'endpoint' | 'streamsEndpoint' | 'authMode' | 'roleArn' | 'externalId' | 'profile';

/**
 * The fields whose value came from `${NAME}` references, each with its text as typed (e.g. `${DDB_ENDPOINT}`):
 * an error message cites that text and never the value it expanded to.
 */
export type TypedReferences = Partial<Record<ConnectionField, string>>;

/** How a message names a value: `"value"`, or `(from ${NAME})` when it came from a reference. */
export function cite(value: string, typedReference: string | undefined): string {
  return typedReference === undefined ? `"${value}"` : citeReference(typedReference);
}

export function citeReference(typedReference: string): string {
  return `(from ${typedReference})`;
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/[\w+=,.@/-]+$/;

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseArn(value: string, typedReference: string | undefined): DynamoDbArn {
  try {
    return parseDynamoDbArn(value);
  } catch (error) {
    if (error instanceof InvalidArnError && typedReference !== undefined) {
      throw new ConfigurationError(`Invalid DynamoDB ARN ${cite(value, typedReference)}: ${error.reasonWithoutValue}`);
    }
    throw error;
  }
}

function validateEndpoint(label: string, endpoint: string, typedReference: string | undefined): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigurationError(`${label} ${cite(endpoint, typedReference)} is not a URL (expected e.g. http://127.0.0.1:8000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`${label} ${cite(endpoint, typedReference)} must start with http:// or https://`);
  }
}

/**
 * Validates what the user configured; every problem becomes a ConfigurationError with a message fit for the user.
 * `references` names the fields that came from `${NAME}` references: messages cite those, not their values.
 */
export function resolveConnectionSettings(input: ConnectionInput, references: TypedReferences = {}): ConnectionSettings {
  if (!blankToUndefined(input.arn)) throw new ConfigurationError('No table or stream ARN is configured');
  const arn = parseArn(input.arn, references.arn);
  const authMode = (blankToUndefined(input.authMode) ?? 'keys') as AuthMode;
  if (!AUTH_MODES.includes(authMode)) {
    throw new ConfigurationError(`Unknown auth mode ${cite(String(input.authMode), references.authMode)}; use one of ${AUTH_MODES.join(', ')}`);
  }
  const endpoint = blankToUndefined(input.endpoint);
  if (endpoint) validateEndpoint('The endpoint', endpoint, references.endpoint);
  const streamsEndpoint = blankToUndefined(input.streamsEndpoint);
  if (streamsEndpoint) validateEndpoint('The Streams endpoint', streamsEndpoint, references.streamsEndpoint);
  const credentials: AwsCredentialsInput = {
    accessKeyId: blankToUndefined(input.credentials?.accessKeyId),
    secretAccessKey: blankToUndefined(input.credentials?.secretAccessKey),
    sessionToken: blankToUndefined(input.credentials?.sessionToken),
  };
  if (authMode === 'keys' && (!credentials.accessKeyId || !credentials.secretAccessKey)) {
    throw new ConfigurationError('Auth mode "keys" needs an access key ID and a secret access key');
  }
  if (Boolean(credentials.accessKeyId) !== Boolean(credentials.secretAccessKey) && authMode === 'assumeRole') {
    throw new ConfigurationError('Give both the access key ID and the secret access key, or neither to use the default chain');
  }
  const roleArn = blankToUndefined(input.roleArn);
  if (authMode === 'assumeRole') {
    if (!roleArn) throw new ConfigurationError('Auth mode "assumeRole" needs a role ARN');
    if (!ROLE_ARN.test(roleArn)) {
      throw new ConfigurationError(`The role ARN ${cite(roleArn, references.roleArn)} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    }
  }
  return {
    arn,
    region: blankToUndefined(input.region) ?? arn.region,
    endpoint,
    streamsEndpoint,
    authMode,
    roleArn: authMode === 'assumeRole' ? roleArn : undefined,
    externalId: authMode === 'assumeRole' ? blankToUndefined(input.externalId) : undefined,
    profile: authMode === 'keys' ? undefined : blankToUndefined(input.profile),
    credentials,
  };
}
