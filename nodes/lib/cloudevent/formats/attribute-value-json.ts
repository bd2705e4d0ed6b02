import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { toBase64 } from '../binary';
import { setOwnProperty } from '../own-property';

/** An AttributeValue as DynamoDB's JSON wire format has it: one member, binary in base64. */
export type AttributeValueJson =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: AttributeMapJson }
  | { L: AttributeValueJson[] }
  | { NULL: boolean }
  | { BOOL: boolean }
  | Record<string, unknown>;

export type AttributeMapJson = Record<string, AttributeValueJson>;

export function toAttributeValueJson(value: AttributeValue): AttributeValueJson {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.M !== undefined) return { M: toAttributeMapJson(value.M) };
  if (value.L !== undefined) return { L: toAttributeListJson(value.L) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: toBase64(value.B) };
  if (value.SS !== undefined) return { SS: value.SS.slice() };
  if (value.NS !== undefined) return { NS: value.NS.slice() };
  if (value.BS !== undefined) return { BS: toBase64List(value.BS) };
  if (value.$unknown !== undefined) return { [value.$unknown[0]]: value.$unknown[1] };
  return {};
}

export function toAttributeMapJson(map: Record<string, AttributeValue>): AttributeMapJson {
  const json: AttributeMapJson = {};
  for (const name in map) setOwnProperty(json, name, toAttributeValueJson(map[name]));
  return json;
}

function toAttributeListJson(list: AttributeValue[]): AttributeValueJson[] {
  const json = new Array<AttributeValueJson>(list.length);
  for (let i = 0; i < list.length; i++) json[i] = toAttributeValueJson(list[i]);
  return json;
}

function toBase64List(list: Uint8Array[]): string[] {
  const json = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) json[i] = toBase64(list[i]);
  return json;
}
