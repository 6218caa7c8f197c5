/** Calendar day and month of an instant in a time zone, e.g. `2026-11-22` and `2026-11`. */
export interface Period {
  day: string;
  month: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The budget periods `at` falls in, using calendar boundaries of `timeZone`. */
export function periodOf(at: number, timeZone: string): Period {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  const day = format.format(at);
  return { day, month: day.slice(0, 7) };
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
