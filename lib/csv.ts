/**
 * CSV reading and writing (RFC 4180), isomorphic: the phonebook import and
 * export and the call-centre report use it on the server and in the browser.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (a quoted cell may span lines). */
  line: number;
  cells: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "CsvError";
  }
}

/** Excel in a Hungarian locale writes `;`; everyone else `,`. Decided by the header line, outside quotes. */
function detectDelimiter(text: string): "," | ";" {
  let inQuotes = false;
  let commas = 0;
  let semicolons = 0;
  for (const char of text) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (char === "\n" || char === "\r")) break;
    else if (!inQuotes && char === ",") commas++;
    else if (!inQuotes && char === ";") semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

/**
 * Parses CSV text: quoted cells with `""` escapes and line breaks, CRLF or LF,
 * a leading BOM; blank lines are skipped. A stray quote inside an unquoted cell
 * is kept as text; only a quoted cell that never closes fails the whole file.
 */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedCell = false;

  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== "" || quotedCell) records.push({ line: recordLine, cells });
    cells = [];
    cell = "";
    quotedCell = false;
  };

  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inQuotes) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (char === "\n") line++;
        cell += char;
      }
      continue;
    }
    if (char === '"' && cell.trim() === "") {
      cell = "";
      inQuotes = true;
      quotedCell = true;
    } else if (char === delimiter) {
      cells.push(cell);
      cell = "";
      quotedCell = false;
    } else if (char === "\r" || char === "\n") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += char;
    }
  }
  if (inQuotes) throw new CsvError(`line ${recordLine}: a quoted cell is never closed`, recordLine);
  if (cell !== "" || cells.length > 0 || quotedCell) endRecord();
  return records;
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a
 * leading tab / carriage return) gets a `'` in front, so an exported file
 * cannot execute anything. E.164 numbers (`+3612345678`, or several joined by
 * ` | `) are left as they are: they cannot carry a formula, and phone numbers
 * stay readable and re-importable.
 */
export function neutraliseFormula(value: string): string {
  if (/^\+\d{4,15}( \| \+\d{4,15})*$/.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Undoes `neutraliseFormula` on import, so an exported file round-trips. */
export function restoreNeutralisedFormula(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

function csvCell(value: string | number | null | undefined): string {
  const text = typeof value === "number" ? String(value) : neutraliseFormula(value ?? "");
  return /[",;\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text with CRLF line ends; every text cell is formula-neutralised and quoted when needed. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
