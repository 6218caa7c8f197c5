/** Calendar day and month of an instant in a time zone, e.g. `2026-11-22` and `2026-11`. */
export interface Period {
  day: string;
  month: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last answer per time zone: every turn asks several times within the same minute, and ICU formatting is not free. */
const lastPeriods = new Map<string, { minute: number; period: Period }>();
const MINUTE_MS = 60_000;

/** The budget periods `at` falls in, using calendar boundaries of `timeZone`. */
export function periodOf(at: number, timeZone: string): Period {
  // Zone offsets are whole minutes (since the 1970s), so a day never changes within a UTC minute.
  const minute = Math.floor(at / MINUTE_MS);
  const last = lastPeriods.get(timeZone);
  if (last && last.minute === minute) return { ...last.period };
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  const day = format.format(at);
  const period = { day, month: day.slice(0, 7) };
  if (lastPeriods.size >= 100) lastPeriods.clear();
  lastPeriods.set(timeZone, { minute, period });
  return { ...period };
}

/** Every day of `month` (YYYY-MM) up to and including `lastDay`. */
export function daysOfMonthUntil(month: string, lastDay: string): string[] {
  const days: string[] = [];
  for (let d = 1; d <= 31; d++) {
    const day = `${month}-${String(d).padStart(2, '0')}`;
    if (day > lastDay) break;
    days.push(day);
  }
  return days;
}
