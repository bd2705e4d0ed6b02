// AWS Signature Version 4 for a JSON POST to `/` (the DynamoDB Streams API), with node:crypto only:
// the wire contender's Authorization header, built per call as any client would.
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignedJsonPost {
  readonly host: string;
  readonly target: string;
  readonly body: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: SigningCredentials;
  readonly now: Date;
}

export const AMZ_JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNED_HEADERS = 'content-type;host;x-amz-date;x-amz-target';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** `20261202T152600Z` */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The headers of a signed request: content-type, x-amz-date, x-amz-target, authorization. */
export function signJsonPost(request: SignedJsonPost): Record<string, string> {
  const date = amzDate(request.now);
  const day = date.slice(0, 8);
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${AMZ_JSON_CONTENT_TYPE}`,
    `host:${request.host}`,
    `x-amz-date:${date}`,
    `x-amz-target:${request.target}`,
    '',
    SIGNED_HEADERS,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${request.credentials.secretAccessKey}`, day), request.region), request.service), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return {
    'content-type': AMZ_JSON_CONTENT_TYPE,
    'x-amz-date': date,
    'x-amz-target': request.target,
    authorization: `${ALGORITHM} Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
  };
}
