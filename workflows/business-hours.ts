/**
 * Working-hours arithmetic for SLA deadlines.
 *
 * This module is imported by Temporal WORKFLOW code, so it is deterministic: every function is a pure
 * function of its arguments (no Date.now(), no argument-less `new Date()`, no I/O, no randomness).
 * Time zones are handled with Intl.DateTimeFormat only; local wall-clock opening times are converted to
 * UTC instants separately for each local date, so DST changes are honoured without assuming fixed offsets.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessCalendar {
  /** IANA time zone, e.g. 'Europe/London'. */
  timeZone: string;
  /** Opening intervals per weekday as local 'HH:MM' pairs ('24:00' allowed as an end); days absent = closed. */
  week: Partial<Record<Weekday, [string, string][]>>;
  /** 'YYYY-MM-DD' local dates that are closed all day. */
  holidays?: string[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Upper bound on the number of local days any computation may walk (about five years). */
const MAX_DAYS = 5 * 366 + 2;
/** Weekday keys indexed like Date#getUTCDay() (0 = Sunday). */
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// ---------------------------------------------------------------------------------------------------------
// Validation

const TIME_RE = /^(\d{2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Minutes after local midnight for 'HH:MM' (00:00..23:59, plus 24:00 when `allow24`), or undefined. */
function parseTime(value: unknown, allow24: boolean): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME_RE.exec(value);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return undefined;
  if (h === 24 && min === 0 && allow24) return 24 * 60;
  if (h > 23) return undefined;
  return h * 60 + min;
}

/** Days since 1970-01-01 for a valid 'YYYY-MM-DD', or undefined. */
function parseDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

function isValidTimeZone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates a calendar, throwing an Error whose message names the bad field, e.g.
 * `calendar.week.mon[0][1]: "25:00" is not a valid time (expected HH:MM)`.
 * Returns a normalised copy (intervals sorted by start time).
 */
export function validateCalendar(calendar: unknown): BusinessCalendar {
  if (!isPlainObject(calendar)) throw new Error('calendar: must be an object');

  const { timeZone, week, holidays } = calendar;
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new Error('calendar.timeZone: must be a non-empty IANA time zone name');
  }
  if (!isValidTimeZone(timeZone)) throw new Error(`calendar.timeZone: "${timeZone}" is not a valid IANA time zone`);

  if (!isPlainObject(week)) throw new Error('calendar.week: must be an object keyed by weekday (mon..sun)');
  const outWeek: Partial<Record<Weekday, [string, string][]>> = {};
  let anyHours = false;
  for (const key of Object.keys(week)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      throw new Error(`calendar.week.${key}: unknown weekday (expected one of mon, tue, wed, thu, fri, sat, sun)`);
    }
    const day = key as Weekday;
    const raw = week[day];
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) throw new Error(`calendar.week.${day}: must be an array of ['HH:MM', 'HH:MM'] intervals`);
    const parsed: { start: number; end: number; pair: [string, string] }[] = [];
    raw.forEach((interval: unknown, i: number) => {
      const field = `calendar.week.${day}[${i}]`;
      if (!Array.isArray(interval) || interval.length !== 2) {
        throw new Error(`${field}: must be a ['HH:MM', 'HH:MM'] pair`);
      }
      const [s, e] = interval as unknown[];
      const start = parseTime(s, false);
      if (start === undefined) throw new Error(`${field}[0]: ${JSON.stringify(s)} is not a valid time (expected HH:MM, 00:00-23:59)`);
      const end = parseTime(e, true);
      if (end === undefined) throw new Error(`${field}[1]: ${JSON.stringify(e)} is not a valid time (expected HH:MM, 00:00-24:00)`);
      if (end <= start) throw new Error(`${field}: end ${e as string} is not after start ${s as string}`);
      parsed.push({ start, end, pair: [s as string, e as string] });
    });
    parsed.sort((x, y) => x.start - y.start);
    for (let i = 1; i < parsed.length; i++) {
      const prev = parsed[i - 1];
      const cur = parsed[i];
      if (cur.start < prev.end) {
        throw new Error(
          `calendar.week.${day}: intervals ${prev.pair[0]}-${prev.pair[1]} and ${cur.pair[0]}-${cur.pair[1]} overlap`,
        );
      }
    }
    if (parsed.length > 0) anyHours = true;
    outWeek[day] = parsed.map((p) => [p.pair[0], p.pair[1]]);
  }
  if (!anyHours) throw new Error('calendar.week: has no working hours on any day (a deadline could never be reached)');

  let outHolidays: string[] | undefined;
  if (holidays !== undefined) {
    if (!Array.isArray(holidays)) throw new Error("calendar.holidays: must be an array of 'YYYY-MM-DD' dates");
    outHolidays = holidays.map((h: unknown, i: number) => {
      if (parseDate(h) === undefined) {
        throw new Error(`calendar.holidays[${i}]: ${JSON.stringify(h)} is not a valid date (expected YYYY-MM-DD)`);
      }
      return h as string;
    });
  }

  const out: BusinessCalendar = { timeZone, week: outWeek };
  if (outHolidays !== undefined) out.holidays = outHolidays;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Time-zone conversion (Intl only)

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US-u-nu-latn', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock fields of instant `ms` in `timeZone`, expressed as "wall time as if it were UTC" (ms, whole seconds). */
export function wallAsUtc(ms: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value) % 24; break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** UTC offset (ms) of `timeZone` at instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  return wallAsUtc(ms, timeZone) - Math.floor(ms / 1000) * 1000;
}

/** Local date (days since 1970-01-01) of instant `ms` in `timeZone`. */
export function localDayOf(ms: number, timeZone: string): number {
  return Math.floor(wallAsUtc(ms, timeZone) / DAY_MS);
}

/**
 * The instant of local wall-clock time `minutes` after midnight of local date `day` in `timeZone`.
 * Ambiguous times (autumn fall-back) resolve to the earlier instant; non-existent times (spring gap)
 * are pushed forward by the length of the gap (like Temporal's 'compatible' disambiguation).
 */
export function zonedToInstant(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY_MS + minutes * MINUTE_MS;
  const offBefore = offsetAt(wall - DAY_MS, timeZone);
  const offAfter = offsetAt(wall + DAY_MS, timeZone);
  let best: number | undefined;
  for (const off of [offBefore, offAfter]) {
    const candidate = wall - off;
    if (offsetAt(candidate, timeZone) === off && (best === undefined || candidate < best)) best = candidate;
  }
  return best ?? wall - offBefore;
}

// ---------------------------------------------------------------------------------------------------------
// Working intervals

interface Schedule {
  timeZone: string;
  week: Record<number, [number, number][]>; // keyed by getUTCDay(), minutes after midnight
  holidays: Set<number>; // local days since epoch
  days: Map<number, [number, number][]>; // intervalsOfDay, worked out once per local day
}

// A workflow asks about the same calendar object again and again (every plan, query and update):
// validate and convert it once. Pure memoisation, so replay gives the same answers.
const schedules = new WeakMap<BusinessCalendar, Schedule>();

function toSchedule(calendar: BusinessCalendar): Schedule {
  let schedule = schedules.get(calendar);
  if (!schedule) schedules.set(calendar, (schedule = buildSchedule(calendar)));
  return schedule;
}

function buildSchedule(calendar: BusinessCalendar): Schedule {
  const valid = validateCalendar(calendar);
  const week: Record<number, [number, number][]> = {};
  WEEKDAYS.forEach((name, idx) => {
    week[idx] = (valid.week[name] ?? []).map(([s, e]) => [parseTime(s, false)!, parseTime(e, true)!]);
  });
  const holidays = new Set<number>((valid.holidays ?? []).map((h) => parseDate(h)!));
  return { timeZone: valid.timeZone, week, holidays, days: new Map() };
}

/** Working intervals [start, end) (UTC ms) of one local date, in order. */
function intervalsOfDay(schedule: Schedule, day: number): [number, number][] {
  let known = schedule.days.get(day);
  if (!known) schedule.days.set(day, (known = workOutDay(schedule, day)));
  return known;
}

function workOutDay(schedule: Schedule, day: number): [number, number][] {
  if (schedule.holidays.has(day)) return [];
  const weekday = new Date(day * DAY_MS).getUTCDay();
  const out: [number, number][] = [];
  for (const [s, e] of schedule.week[weekday]) {
    const start = zonedToInstant(day, s, schedule.timeZone);
    const end = zonedToInstant(day, e, schedule.timeZone);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/**
 * Working intervals that end after `from`, clipped to start no earlier than `from` and never overlapping
 * each other, walking at most `maxDays` local days.
 */
function* workingIntervals(schedule: Schedule, from: number, maxDays: number): Generator<[number, number]> {
  let cursor = from;
  const firstDay = localDayOf(from, schedule.timeZone) - 1;
  for (let day = firstDay; day <= firstDay + maxDays; day++) {
    for (const [s, e] of intervalsOfDay(schedule, day)) {
      if (e <= cursor) continue;
      const start = Math.max(s, cursor);
      yield [start, e];
      cursor = e;
    }
  }
}

function checkDate(d: Date, name: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name}: must be a valid Date`);
  return ms;
}

// ---------------------------------------------------------------------------------------------------------
// Public API

/**
 * The instant at which `durationMs` of counted time has elapsed after `start`.
 * calendar null/undefined = every hour counts (start + duration).
 *
 * With a calendar, time outside working hours does not count: a duration starting outside working hours
 * starts counting at the next opening, and a deadline that lands exactly at a closing time stays at that
 * closing time. A zero duration returns `start` unchanged.
 */
export function addWorkingTime(start: Date, durationMs: number, calendar?: BusinessCalendar | null): Date {
  const from = checkDate(start, 'start');
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    throw new RangeError(`durationMs: must be a finite number >= 0 (got ${String(durationMs)})`);
  }
  if (calendar == null) return new Date(from + durationMs);
  const schedule = toSchedule(calendar);
  if (durationMs === 0) return new Date(from);

  let remaining = durationMs;
  for (const [s, e] of workingIntervals(schedule, from, MAX_DAYS)) {
    const available = e - s;
    if (remaining <= available) return new Date(s + remaining);
    remaining -= available;
  }
  throw new RangeError(
    `addWorkingTime: ${durationMs} ms of working time is not reached within ${MAX_DAYS} days of ${start.toISOString()} ` +
      `(calendar ${schedule.timeZone} has too few working hours)`,
  );
}

/** Counted time between a and b (0 if b <= a). calendar null/undefined = b - a. */
export function workingTimeBetween(a: Date, b: Date, calendar?: BusinessCalendar | null): number {
  const from = checkDate(a, 'a');
  const to = checkDate(b, 'b');
  if (calendar == null) return Math.max(0, to - from);
  const schedule = toSchedule(calendar);
  if (to <= from) return 0;

  const days = localDayOf(to, schedule.timeZone) - localDayOf(from, schedule.timeZone) + 2;
  if (days > MAX_DAYS) {
    throw new RangeError(`workingTimeBetween: the span from ${a.toISOString()} to ${b.toISOString()} exceeds ${MAX_DAYS} days`);
  }
  let total = 0;
  for (const [s, e] of workingIntervals(schedule, from, days)) {
    if (s >= to) break;
    total += Math.min(e, to) - s;
  }
  return total;
}
