/**
 * The size DynamoDB counts against its 400 KB item limit, per its documentation ("Item sizes and
 * formats"): each attribute name plus its value; strings in UTF-8, numbers ~1 byte per two
 * significant digits plus one, booleans and nulls 1 byte, lists and maps 3 bytes plus 1 per
 * element (map keys counted like names).
 */
export function dynamoItemBytes(item: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += Buffer.byteLength(name, 'utf8') + valueBytes(value);
  }
  return total;
}

function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = String(Math.abs(value))
      .replace(/[.e+-]/g, '')
      .replace(/^0+/, '').length;
    return Math.ceil(Math.max(1, digits) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [k, v]) => (v === undefined ? sum : sum + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(v)), 0);
  }
  throw new Error(`no DynamoDB size for a ${typeof value}`);
}
