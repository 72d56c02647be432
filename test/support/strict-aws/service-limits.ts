/**
 * Limits AWS enforces on requests and moto does not: the sizes are computed the way the services
 * document them, so a test fails where AWS would.
 */

/** DynamoDB: one item, attribute names and values together. */
export const DYNAMODB_ITEM_LIMIT_BYTES = 409_600;
/** EventBridge: the entries of one PutEvents request, sized as EventBridge documents. */
export const PUT_EVENTS_LIMIT_BYTES = 262_144;

/** A DynamoDB attribute value in the wire format (`{ S: 'x' }`, `{ M: { … } }`, …). */
export type AttributeValue = Record<string, unknown>;

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A number is stored as its significant digits, two per byte, plus one byte. */
function numberSize(text: string): number {
  const digits = text.replace(/^[+-]/, '').split(/[eE]/)[0]!.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function binarySize(value: unknown): number {
  if (value instanceof Uint8Array) return value.length;
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : 0;
}

/** The size of one attribute value, per the DynamoDB developer guide ("Item sizes and formats"). */
export function attributeValueSize(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return utf8(String(inner));
    case 'N':
      return numberSize(String(inner));
    case 'B':
      return binarySize(inner);
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (inner as string[]).reduce((sum, s) => sum + utf8(s), 0);
    case 'NS':
      return (inner as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (inner as string[]).reduce((sum, b) => sum + binarySize(b), 0);
    // A list or a map costs 3 bytes, and each element 1 byte more than its own size.
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((sum, element) => sum + 1 + attributeValueSize(element), 0);
    case 'M':
      return 3 + Object.entries(inner as Record<string, AttributeValue>).reduce((sum, [k, v]) => sum + 1 + utf8(k) + attributeValueSize(v), 0);
    default:
      return 0;
  }
}

/** The size DynamoDB counts against the 400 KB item limit: UTF-8 names plus value sizes. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
}

/**
 * The item as each global secondary index stores it: the index's projection of the item (its
 * keys, the table's keys and the projected attributes), or nothing where the item lacks the
 * index's keys. A projection is never larger than the item, so the item check covers it; the
 * sizes are reported for the error message.
 */
export interface IndexShape {
  name: string;
  keys: string[];
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  include?: string[];
}

export function projectedSizes(item: Record<string, AttributeValue>, tableKeys: string[], indexes: IndexShape[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const index of indexes) {
    if (!index.keys.every((k) => k in item)) continue;
    if (index.projection === 'ALL') {
      sizes[index.name] = itemSize(item);
      continue;
    }
    const names = new Set([...tableKeys, ...index.keys, ...(index.projection === 'INCLUDE' ? (index.include ?? []) : [])]);
    sizes[index.name] = itemSize(Object.fromEntries(Object.entries(item).filter(([k]) => names.has(k))));
  }
  return sizes;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: unknown;
}

/** EventBridge's entry size: Time 14 bytes; Source, DetailType, Detail and each resource in UTF-8. */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  return (
    (entry.Time !== undefined && entry.Time !== null ? 14 : 0) +
    utf8(entry.Source ?? '') +
    utf8(entry.DetailType ?? '') +
    utf8(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((sum, r) => sum + utf8(r ?? ''), 0)
  );
}
