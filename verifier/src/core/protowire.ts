/**
 * A small protobuf wire-format reader for the transaction path, where google-protobuf's generated classes cost the
 * verifier most of its time (a message object per field set, copies, then getters). It refuses what google-protobuf
 * refuses there, so a transaction decodes (or does not) as before: a known field of another wire type, a truncated
 * value, an invalid wire type. Like google-protobuf, it skips unknown fields, keeps the last value of a field that
 * appears twice, and ends a message at an END_GROUP tag. Stricter where Go's protobuf (Fabric's) is: a string that is
 * not valid UTF-8 and a field number outside 1..2^29−1 are refused (google-protobuf read past such a string's end).
 */

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
export const I32 = 5;
/** Go's protobuf refuses field number 0 and numbers above 2^29 − 1; so does this reader. */
const MAX_FIELD = 0x1fffffff;

/** Go's protobuf refuses a proto3 string that is not UTF-8, so Fabric's peers refuse the message; a BOM is kept. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ProtoReader {
  field = 0;
  wire = 0;
  #pos = 0;
  #low = 0;
  #high = 0;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Moves to the next field; false at the end of the message (or at an END_GROUP tag, as google-protobuf). */
  next(): boolean {
    if (this.#pos >= this.#bytes.length) return false;
    this.#tag(this.#varint());
    return this.wire !== END_GROUP;
  }

  #tag(tag: number): void {
    this.wire = tag % 8;
    this.field = Math.floor(tag / 8);
    if (this.wire > I32) throw new Error(`invalid wire type ${this.wire}`);
    if (this.field < 1 || this.field > MAX_FIELD) throw new Error(`invalid field number ${this.field}`);
  }

  #expect(wire: number): void {
    if (this.wire !== wire) throw new Error(`field ${this.field} has wire type ${this.wire}, not ${wire}`);
  }

  /** Reads a varint into #low and #high (its two 32-bit halves, unsigned, as google-protobuf splits it). */
  #varint64(): void {
    const bytes = this.#bytes;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i += 1) {
      const b = bytes[this.#pos];
      if (b === undefined) throw new Error('truncated varint');
      this.#pos += 1;
      const bits = b & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.#low = low >>> 0;
        this.#high = high >>> 0;
        return;
      }
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** A varint as a number (exact up to 2^53), as google-protobuf's readUint64 gives it. */
  #varint(): number {
    this.#varint64();
    return this.#high * 0x100000000 + this.#low;
  }

  uint(): number {
    this.#expect(VARINT);
    return this.#varint();
  }

  /** int32 and enums: the low 32 bits, signed (negative values take ten bytes on the wire). */
  int32(): number {
    this.#expect(VARINT);
    this.#varint64();
    return this.#low | 0;
  }

  /** int64, signed, as a number (google-protobuf's readInt64). */
  int64(): number {
    this.#expect(VARINT);
    this.#varint64();
    let low = this.#low;
    let high = this.#high;
    const negative = high >= 0x80000000;
    if (negative) {
      low = (~low + 1) >>> 0;
      high = ~high >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    const magnitude = high * 0x100000000 + low;
    return negative ? -magnitude : magnitude;
  }

  bool(): boolean {
    return this.uint() !== 0;
  }

  /** The field's bytes, a view into the message (no copy). */
  bytes(): Uint8Array {
    this.#expect(LEN);
    const length = this.#varint();
    const end = this.#pos + length;
    if (end > this.#bytes.length) throw new Error('length-delimited field overruns the message');
    const out = this.#bytes.subarray(this.#pos, end);
    this.#pos = end;
    return out;
  }

  string(): string {
    const field = this.field;
    const bytes = this.bytes();
    try {
      return utf8.decode(bytes);
    } catch {
      throw new Error(`field ${field} is not valid UTF-8`);
    }
  }

  skip(): void {
    switch (this.wire) {
      case VARINT:
        this.#varint();
        return;
      case I64:
        this.#advance(8);
        return;
      case LEN:
        this.bytes();
        return;
      case I32:
        this.#advance(4);
        return;
      case START_GROUP:
        this.#skipGroup();
        return;
      default:
        throw new Error('END_GROUP without a group');
    }
  }

  #advance(n: number): void {
    if (this.#pos + n > this.#bytes.length) throw new Error('truncated fixed-width field');
    this.#pos += n;
  }

  #skipGroup(): void {
    const field = this.field;
    for (;;) {
      if (this.#pos >= this.#bytes.length) throw new Error('unterminated group');
      this.#tag(this.#varint());
      if (this.wire === END_GROUP) {
        if (this.field !== field) throw new Error('mismatched END_GROUP');
        return;
      }
      this.skip();
    }
  }
}

/** A proto3 string field in a {@link Shape}: length-delimited, and valid UTF-8. */
export const STRING = 'string';

/** A message's known fields: their wire types, STRING, or a nested shape for an embedded message. */
export interface Shape {
  readonly [field: number]: number | typeof STRING | Shape;
}

/**
 * Reads a message only to refuse what the verifier refused when it decoded it whole: a known field of another wire
 * type (or a string that is not UTF-8), anywhere in the nested messages the shape names.
 */
export function checkShape(bytes: Uint8Array, shape: Shape): void {
  const r = new ProtoReader(bytes);
  while (r.next()) {
    const known = shape[r.field];
    if (known === undefined) r.skip();
    else if (known === STRING) r.string();
    else if (typeof known === 'number') {
      if (r.wire !== known) throw new Error(`field ${r.field} has wire type ${r.wire}, not ${known}`);
      r.skip();
    } else checkShape(r.bytes(), known);
  }
}
