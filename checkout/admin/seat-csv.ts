/**
 * Parses a seat map CSV (`section,row,seat,tier`, optionally `,x,y`: where the seat is drawn on the
 * fan's map; without them rows are laid out automatically) into seats, collecting every
 * problem with its line number instead of stopping at the first: an organiser fixing a 5,000-line
 * export wants the whole list. Quoted fields (RFC 4180) may hold commas; blank lines are skipped.
 */
export interface CsvSeat {
  line: number;
  section: string;
  row: string;
  seat: number;
  tier: string;
  /** Map position (venue units, one seat pitch ≈ 1), or both undefined. */
  x?: number;
  y?: number;
}

export interface CsvProblem {
  line: number;
  message: string;
}

const HEADER = ['section', 'row', 'seat', 'tier'];
const HEADER_XY = [...HEADER, 'x', 'y'];
const COORD = /^-?[0-9]{1,6}(\.[0-9]{1,3})?$/;
const TIER = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_CSV_PROBLEMS = 100;

/** Splits one line into fields; undefined when a quote is left open. */
function fields(line: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"' && cur.trim() === '') { quoted = true; cur = ''; } else if (ch === ',') { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (quoted) return undefined;
  out.push(cur.trim());
  return out;
}

/** `knownTiers`: the venue's tier codes; a seat naming another is an error on its line. */
export function parseSeatCsv(text: string, knownTiers: ReadonlySet<string>): { seats: CsvSeat[]; problems: CsvProblem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const seats: CsvSeat[] = [];
  const problems: CsvProblem[] = [];
  const firstSeen = new Map<string, number>();
  const problem = (line: number, message: string): void => void (problems.length < MAX_CSV_PROBLEMS && problems.push({ line, message }));

  const header = fields(lines[0] ?? '')?.map((h) => h.toLowerCase());
  const withXy = header?.join(',') === HEADER_XY.join(',');
  if (!header || (!withXy && header.join(',') !== HEADER.join(','))) {
    problem(1, `the first line must be the header "${HEADER.join(',')}" or "${HEADER_XY.join(',')}"`);
    return { seats, problems };
  }
  const width = withXy ? 6 : 4;
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const f = fields(raw);
    if (!f) { problem(line, 'unclosed quote'); continue; }
    if (f.length !== width) { problem(line, `expected ${width} fields (${(withXy ? HEADER_XY : HEADER).join(',')}), found ${f.length}`); continue; }
    const [section, row, seatText, tier, xText = '', yText = ''] = f as [string, string, string, string, string?, string?];
    const before = problems.length;
    if (section.length < 1 || section.length > 100) problem(line, 'section must be 1–100 characters');
    if (row.length < 1 || row.length > 16) problem(line, 'row must be 1–16 characters');
    const seat = /^[0-9]{1,6}$/.test(seatText) ? Number(seatText) : NaN;
    if (!(seat > 0)) problem(line, `seat must be a positive whole number, not "${seatText}"`);
    if (!TIER.test(tier)) problem(line, `tier "${tier}" is not a valid code`);
    else if (!knownTiers.has(tier)) problem(line, `unknown tier "${tier}" (this venue has ${[...knownTiers].sort().join(', ') || 'no tiers'})`);
    // x and y together, or both left empty (that seat's section is then laid out automatically)
    if ((xText === '') !== (yText === '')) problem(line, 'give both x and y, or neither');
    else if (xText !== '' && (!COORD.test(xText) || !COORD.test(yText))) problem(line, `x and y must be numbers (up to 3 decimals), not "${xText}", "${yText}"`);
    const key = `${section}\u0000${row}\u0000${seat}`;
    const first = firstSeen.get(key);
    if (first !== undefined && seat > 0) problem(line, `duplicate seat ${section} row ${row} seat ${seat} (first on line ${first})`);
    else firstSeen.set(key, line);
    if (problems.length === before) seats.push({ line, section, row, seat, tier, ...(xText !== '' ? { x: Number(xText), y: Number(yText) } : {}) });
  }
  if (seats.length === 0 && problems.length === 0) problem(2, 'no seats in the file');
  return { seats, problems };
}
