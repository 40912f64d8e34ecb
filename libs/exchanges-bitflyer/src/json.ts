/**
 * A strict JSON reader that keeps every number as the text the venue wrote (`5860832.0`,
 * `0.02675395`): bitFlyer sends prices and sizes as JSON numbers, and `JSON.parse` would turn them
 * into doubles (`5860832`, exponent forms for tiny sizes). Objects of exactly the board level shape
 * `{"price":N,"size":N}` come back directly as `[price, size]` tuples, the shape the order book
 * takes, so a level costs one small array and no intermediate object.
 *
 * Values: objects, arrays, strings, booleans and null as `JSON.parse` gives them; numbers as their
 * token text (a `string`). Throws an Error saying where the text stops being JSON.
 */

/** A number's token text: what a JSON number becomes. */
export type NumberText = string;

export class JsonReader {
  private text = '';
  private pos = 0;

  /** Reads one JSON document; the whole text must be it (whitespace around it is allowed). */
  read(text: string): unknown {
    this.text = text;
    this.pos = 0;
    const value = this.value();
    this.space();
    if (this.pos !== text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(what: string): never {
    throw new SyntaxError(`${what} at offset ${this.pos}`);
  }

  private space(): void {
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++this.pos);
  }

  private value(): unknown {
    this.space();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.object();
      case 91: // [
        return this.array();
      case 34: // "
        return this.string();
      case 116: // t
        return this.word('true', true);
      case 102: // f
        return this.word('false', false);
      case 110: // n
        return this.word('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of text' : `unexpected ${JSON.stringify(this.text[this.pos])}`);
    }
  }

  private word<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('unexpected word');
    this.pos += word.length;
    return value;
  }

  /** A JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as its text. */
  private number(): NumberText {
    const text = this.text;
    const start = this.pos;
    let i = start;
    let c = text.charCodeAt(i);
    if (c === 45) c = text.charCodeAt(++i);
    if (c === 48) c = text.charCodeAt(++i);
    else if (c >= 49 && c <= 57) {
      do c = text.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    } else {
      this.pos = i;
      this.fail('bad number');
    }
    if (c === 46) {
      c = text.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) {
        this.pos = i;
        this.fail('bad number');
      }
      do c = text.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      c = text.charCodeAt(++i);
      if (c === 43 || c === 45) c = text.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) {
        this.pos = i;
        this.fail('bad number');
      }
      do c = text.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    }
    this.pos = i;
    return text.slice(start, i);
  }

  private string(): string {
    const text = this.text;
    const start = ++this.pos;
    let i = start;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return text.slice(start, i);
      }
      if (c === 92) break; // an escape: let JSON.parse read the string
      if (c < 32 || Number.isNaN(c)) {
        this.pos = i;
        this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in string');
      }
      i++;
    }
    // Find the closing quote past escapes, then decode the literal exactly as JSON does.
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) {
        this.pos = i;
        this.fail('unterminated string');
      }
      if (c === 92) i += 2;
      else if (c === 34) break;
      else i++;
    }
    const literal = text.slice(start - 1, i + 1);
    this.pos = i + 1;
    try {
      return JSON.parse(literal) as string;
    } catch {
      this.pos = start;
      return this.fail('bad string escape');
    }
  }

  private array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.space();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 44) continue;
      if (c === 93) return out;
      this.pos--;
      this.fail('expected "," or "]"');
    }
  }

  private object(): unknown {
    this.pos++;
    this.space();
    const text = this.text;
    if (text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return {};
    }
    // The board level shape, exactly as bitFlyer writes it: {"price":N,"size":N}.
    if (text.startsWith('"price":', this.pos)) {
      const at = this.pos;
      this.pos += 8;
      const price = this.value();
      if (typeof price === 'string' && text.startsWith(',"size":', this.pos)) {
        this.pos += 8;
        const size = this.value();
        if (typeof size === 'string' && text.charCodeAt(this.pos) === 125) {
          this.pos++;
          return [price, size];
        }
      }
      this.pos = at; // another shape after all: read it as a plain object
    }
    const out: Record<string, unknown> = {};
    for (;;) {
      this.space();
      if (text.charCodeAt(this.pos) !== 34) this.fail('expected a key');
      const key = this.string();
      this.space();
      if (text.charCodeAt(this.pos++) !== 58) {
        this.pos--;
        this.fail('expected ":"');
      }
      const value = this.value();
      if (key !== '__proto__') out[key] = value;
      this.space();
      const c = text.charCodeAt(this.pos++);
      if (c === 44) continue;
      if (c === 125) return out;
      this.pos--;
      this.fail('expected "," or "}"');
    }
  }
}
