export type AwsErrorKind =
  | 'aborted'
  | 'expired-iterator'
  | 'trimmed'
  | 'throttled'
  | 'not-found'
  | 'access-denied'
  | 'bad-credentials'
  | 'network'
  | 'server'
  | 'invalid-request'
  | 'unknown';

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

const KIND_BY_NAME: Record<string, AwsErrorKind> = {
  AbortError: 'aborted',
  ExpiredIteratorException: 'expired-iterator',
  TrimmedDataAccessException: 'trimmed',
  LimitExceededException: 'throttled',
  ThrottlingException: 'throttled',
  ProvisionedThroughputExceededException: 'throttled',
  RequestLimitExceeded: 'throttled',
  TooManyRequestsException: 'throttled',
  ResourceNotFoundException: 'not-found',
  AccessDeniedException: 'access-denied',
  AccessDenied: 'access-denied',
  UnrecognizedClientException: 'bad-credentials',
  InvalidSignatureException: 'bad-credentials',
  ExpiredTokenException: 'bad-credentials',
  InvalidClientTokenId: 'bad-credentials',
  MissingAuthenticationTokenException: 'bad-credentials',
  CredentialsProviderError: 'bad-credentials',
  InternalServerError: 'server',
  ServiceUnavailable: 'server',
  TimeoutError: 'network',
  ValidationException: 'invalid-request',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

export function classifyAwsError(error: unknown): AwsErrorKind {
  const err = (error ?? {}) as ErrorLike;
  const byName = err.name ? KIND_BY_NAME[err.name] : undefined;
  if (byName) return byName;
  if (err.code && NETWORK_CODES.has(err.code)) return 'network';
  if (err.message && /socket hang up|ECONNRESET|timed? ?out/i.test(err.message)) return 'network';
  const status = err.$metadata?.httpStatusCode;
  if (status === 429) return 'throttled';
  if (status === 403) return 'access-denied';
  if (status !== undefined && status >= 500) return 'server';
  if (err.$fault === 'server') return 'server';
  return 'unknown';
}

/** The IAM action named by an AccessDenied message ("… is not authorized to perform: dynamodb:GetRecords on …"). */
export function deniedAction(error: unknown): string | undefined {
  const message = (error as ErrorLike | undefined)?.message ?? '';
  return /perform:\s*([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
}

/** A short, single-line reason fit for a node status. */
export function shortReason(error: unknown): string {
  const err = (error ?? {}) as ErrorLike;
  const kind = classifyAwsError(error);
  switch (kind) {
    case 'access-denied': {
      const action = deniedAction(error);
      return action ? `access denied: ${action}` : 'access denied';
    }
    case 'bad-credentials':
      return 'credentials rejected or missing';
    case 'throttled':
      return 'throttled';
    case 'network':
      return `network error${err.code ? ` (${err.code})` : ''}`;
    default: {
      const text = `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message ?? String(error)}`;
      return text.length > 80 ? `${text.slice(0, 77)}…` : text;
    }
  }
}

export function isRetryableKind(kind: AwsErrorKind): boolean {
  return kind === 'throttled' || kind === 'network' || kind === 'server' || kind === 'unknown';
}
