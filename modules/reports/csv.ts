// A small RFC 4180 reader and writer: quoted fields, doubled quotes, CRLF or LF, and the line on
// which each record starts (for error messages). The writer adds a BOM so Excel reads UTF-8.

export interface CsvRecord {
  /** 1-based line number of the record's first character. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
    /** What is wrong, for a page to say in its language. */
    readonly rule: 'csvUnclosedQuote' | 'csvTextAfterQuote',
  ) {
    super(message);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= text.length) throw new CsvSyntaxError(quoteLine, `line ${quoteLine}: a quoted field is not closed`, 'csvUnclosedQuote');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvSyntaxError(line, `line ${line}: unexpected text after a closing quote`, 'csvTextAfterQuote');
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    // Blank lines carry no record.
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
  }
  return records;
}

/** Quotes a field when needed; a text cell that starts like a formula is prefixed with ' so that a spreadsheet shows it as text. */
export function csvField(value: string | number | boolean | null, options: { text?: boolean } = {}): string {
  let s = value === null ? '' : String(value);
  if (options.text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: string[][]): string {
  return '\ufeff' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
}
