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
  if (isWireJson(value)) return value as AttributeValueJson;
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

/**
 * True when the value already is its wire JSON: no binary and nothing unknown anywhere inside. It is
 * then used as it is instead of copied (a record's values belong to the one msg made from it).
 */
function isWireJson(value: AttributeValue): boolean {
  let members = 0;
  let type = '';
  for (const key in value) {
    members++;
    type = key;
  }
  if (members !== 1) return false;
  switch (type) {
    case 'S':
    case 'N':
    case 'BOOL':
    case 'NULL':
    case 'SS':
    case 'NS':
      return (value as unknown as Record<string, unknown>)[type] !== undefined;
    case 'M': {
      const map = value.M;
      if (map === undefined) return false;
      for (const name in map) if (!isWireJson(map[name])) return false;
      return true;
    }
    case 'L': {
      const list = value.L;
      if (list === undefined) return false;
      for (let i = 0; i < list.length; i++) if (!isWireJson(list[i])) return false;
      return true;
    }
    default:
      return false;
  }
}

export function toAttributeMapJson(map: Record<string, AttributeValue>): AttributeMapJson {
  let json: AttributeMapJson | undefined;
  for (const name in map) {
    if (isWireJson(map[name])) continue;
    json ??= { ...(map as AttributeMapJson) };
    setOwnProperty(json, name, toAttributeValueJson(map[name]));
  }
  return json ?? (map as AttributeMapJson);
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
