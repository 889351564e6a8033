/**
 * Test oracle (the job's former single-thread reader, kept to check the engine against): an
 * RFC 4180 tokenizer over strings, written independently of task/src/records/rfc4180.ts, which
 * knows nothing about streams or bytes. Text is pushed in regions
 * that each end with a line feed (the byte front-end guarantees it), except the final one;
 * complete records are reported through a callback with the line where they start.
 *
 * Rules: fields separated by `,`; records end at LF or CRLF outside quotes; a field that
 * starts with `"` is quoted, `""` inside it is one quote, and it may hold commas and line
 * breaks; a quote inside an unquoted field, or text after a closing quote, is kept literally;
 * empty lines are skipped; a quote still open at the end of input yields the record with
 * `unterminated` set. It has no record limit: inputs in tests are small.
 */

/** Receives one record. `fields` is owned by the receiver. */
export type RowHandler = (fields: string[], line: number, unterminated: boolean, invalidMask: number) => void;

/**
 * Turns a region's text fragment into the field's text. Regions whose bytes are all valid
 * UTF-8 are decoded up front and need none; other regions arrive as latin1 (one char per
 * byte) and the fragment decoder checks and decodes each field's bytes.
 */
export type FragmentDecoder = (fragment: string) => { text: string; valid: boolean };

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export class CsvTokenizer {
  /** Physical line (1-based) at the current position. */
  private line = 1;
  // State of a record that spans regions (only records with quotes take this path).
  private open = false;
  private fields: string[] = [];
  private field = "";
  private inQuote = false;
  private fieldStart = true;
  private recordLine = 1;
  private invalidMask = 0;
  private decode: FragmentDecoder | undefined;

  constructor(private readonly onRow: RowHandler) {}

  /**
   * Tokenizes `text`. Unless `final`, it must end with `\n`. `decode` is set when the
   * region's bytes were not all valid UTF-8 (see {@link FragmentDecoder}).
   */
  push(text: string, decode?: FragmentDecoder, final = false): void {
    this.decode = decode;
    const n = text.length;
    let pos = 0;
    if (this.open) pos = this.continueRecord(text, 0, final);
    let nextQuote = n === 0 ? -1 : text.indexOf('"', pos);
    while (pos < n) {
      let nl = text.indexOf("\n", pos);
      if (nl === -1) nl = n; // only in a final region
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
      if (nextQuote === -1 || nextQuote > nl) {
        let end = nl;
        if (end > pos && text.charCodeAt(end - 1) === CR) end--;
        if (end > pos) this.emitSimple(text.slice(pos, end));
        this.line++;
        pos = nl + 1;
      } else {
        this.beginRecord();
        pos = this.continueRecord(text, pos, final);
      }
    }
    if (final) this.end();
  }

  /** Whether a record is still open: its quote continues past the text pushed so far. */
  hasOpenRecord(): boolean {
    return this.open;
  }

  /** Flushes a record left open at the end of input (an unterminated quote). */
  end(): void {
    if (!this.open) return;
    this.finishField();
    this.open = false;
    this.onRow(this.fields, this.recordLine, this.inQuote, this.invalidMask);
    this.fields = [];
  }

  private emitSimple(lineText: string): void {
    const fields = lineText.split(",");
    let mask = 0;
    if (this.decode) {
      for (let i = 0; i < fields.length; i++) {
        const { text, valid } = this.decode(fields[i]!);
        fields[i] = text;
        if (!valid) mask |= bit(i);
      }
    }
    this.onRow(fields, this.line, false, mask);
  }

  private beginRecord(): void {
    this.open = true;
    this.fields = [];
    this.field = "";
    this.inQuote = false;
    this.fieldStart = true;
    this.recordLine = this.line;
    this.invalidMask = 0;
  }

  private append(fragment: string): void {
    if (fragment.length === 0) return;
    if (this.decode) {
      const { text, valid } = this.decode(fragment);
      if (!valid) this.invalidMask |= bit(this.fields.length);
      this.field += text;
    } else {
      this.field += fragment;
    }
  }

  private finishField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.fieldStart = true;
  }

  /** Advances through one record from `pos`; returns where the next record starts (or `n`). */
  private continueRecord(text: string, pos: number, final: boolean): number {
    const n = text.length;
    let i = pos;
    while (i < n) {
      if (this.inQuote) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          this.appendQuoted(text, i, n);
          return n;
        }
        this.appendQuoted(text, i, q);
        if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuote = false;
          i = q + 1;
        }
        continue;
      }
      if (this.fieldStart && text.charCodeAt(i) === QUOTE) {
        this.inQuote = true;
        this.fieldStart = false;
        i++;
        continue;
      }
      // Unquoted text (or text after a closing quote) up to the next comma or line feed.
      let j = i;
      let c = 0;
      while (j < n && (c = text.charCodeAt(j)) !== COMMA && c !== LF) j++;
      if (j === n) {
        this.append(text.slice(i, j));
        this.fieldStart = false;
        if (final) break;
        return n;
      }
      if (c === COMMA) {
        this.append(text.slice(i, j));
        this.finishField();
        i = j + 1;
        continue;
      }
      // Line feed: the record ends here; a CR before it belongs to the line end.
      this.append(text.slice(i, j > i && text.charCodeAt(j - 1) === CR ? j - 1 : j));
      this.finishField();
      this.open = false;
      this.onRow(this.fields, this.recordLine, false, this.invalidMask);
      this.fields = [];
      this.line++;
      return j + 1;
    }
    if (final) this.end();
    return n;
  }

  /** Appends quoted content `text[from, to)`, counting the line breaks inside it. */
  private appendQuoted(text: string, from: number, to: number): void {
    let nl = text.indexOf("\n", from);
    while (nl !== -1 && nl < to) {
      this.line++;
      nl = text.indexOf("\n", nl + 1);
    }
    this.append(text.slice(from, to));
  }
}

/** Bit for field `i` in an invalid-UTF-8 mask; fields past 30 share the last bit. */
function bit(i: number): number {
  return 1 << Math.min(i, 30);
}

/** Whether field `i` is flagged in `mask`. */
export function isFieldInvalid(mask: number, i: number): boolean {
  return (mask & bit(i)) !== 0;
}
