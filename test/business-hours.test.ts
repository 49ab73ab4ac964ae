import { addWorkingTime, validateCalendar, workingTimeBetween, type BusinessCalendar } from '../workflows/business-hours';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const nineToFive: [string, string][] = [['09:00', '17:00']];
const london: BusinessCalendar = {
  timeZone: 'Europe/London',
  week: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
};
const withLunch: [string, string][] = [['09:00', '12:30'], ['13:30', '17:30']];
const londonWithLunch: BusinessCalendar = {
  timeZone: 'Europe/London',
  week: { mon: withLunch, tue: withLunch, wed: withLunch, thu: withLunch, fri: withLunch },
};

const at = (iso: string) => new Date(iso);
const add = (startIso: string, ms: number, cal: BusinessCalendar | null | undefined = london) =>
  addWorkingTime(at(startIso), ms, cal).toISOString();

describe('addWorkingTime', () => {
  test('a 4-hour deadline set on Friday at 16:00 falls on Monday at 11:00', () => {
    // Open 09:00-18:00: two hours on Friday, two on Monday morning.
    const nineToSix: [string, string][] = [['09:00', '18:00']];
    const office: BusinessCalendar = {
      timeZone: 'Europe/London',
      week: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix },
    };
    // Winter (GMT = UTC).
    expect(add('2025-01-10T16:00:00.000Z', 4 * HOUR, office)).toBe('2025-01-13T11:00:00.000Z');
    // Summer (BST = UTC+1): Friday 16:00 BST -> Monday 11:00 BST.
    expect(add('2025-06-13T15:00:00.000Z', 4 * HOUR, office)).toBe('2025-06-16T10:00:00.000Z');
    // Open 09:00-17:00: one hour on Friday, three on Monday -> Monday 12:00.
    expect(add('2025-01-10T16:00:00.000Z', 4 * HOUR)).toBe('2025-01-13T12:00:00.000Z');
  });

  test('time outside working hours does not count', () => {
    // Saturday morning: counting starts at Monday's opening.
    expect(add('2025-01-11T10:00:00.000Z', 2 * HOUR)).toBe('2025-01-13T11:00:00.000Z');
    // Tuesday evening: counting starts at Wednesday's opening.
    expect(add('2025-01-14T20:00:00.000Z', 1 * HOUR)).toBe('2025-01-15T10:00:00.000Z');
    // Early morning: counting starts at 09:00 the same day.
    expect(add('2025-01-14T06:00:00.000Z', 1 * HOUR)).toBe('2025-01-14T10:00:00.000Z');
    // A full working day takes a calendar day and a night.
    expect(add('2025-01-14T12:00:00.000Z', 8 * HOUR)).toBe('2025-01-15T12:00:00.000Z');
    expect(workingTimeBetween(at('2025-01-10T12:00:00.000Z'), at('2025-01-13T12:00:00.000Z'), london)).toBe(8 * HOUR);
    expect(workingTimeBetween(at('2025-01-11T00:00:00.000Z'), at('2025-01-12T23:59:59.999Z'), london)).toBe(0);
  });

  test('a deadline that lands exactly at closing time stays at closing time', () => {
    expect(add('2025-01-13T09:00:00.000Z', 8 * HOUR)).toBe('2025-01-13T17:00:00.000Z');
    expect(add('2025-01-13T16:00:00.000Z', 1 * HOUR)).toBe('2025-01-13T17:00:00.000Z');
    // Friday's closing time stays on Friday, not Monday's opening.
    expect(add('2025-01-10T09:00:00.000Z', 8 * HOUR)).toBe('2025-01-10T17:00:00.000Z');
    // One millisecond more moves to the next opening.
    expect(add('2025-01-10T09:00:00.000Z', 8 * HOUR + 1)).toBe('2025-01-13T09:00:00.001Z');
  });

  test('a zero duration is the start itself', () => {
    expect(add('2025-01-11T10:00:00.000Z', 0)).toBe('2025-01-11T10:00:00.000Z');
    expect(add('2025-01-13T10:00:00.000Z', 0)).toBe('2025-01-13T10:00:00.000Z');
  });

  test('a holiday is skipped', () => {
    const cal: BusinessCalendar = { ...london, holidays: ['2025-01-13', '2025-12-25'] };
    // Friday 16:00 + 4h would be Monday 12:00; Monday is a holiday, so Tuesday 12:00.
    expect(add('2025-01-10T16:00:00.000Z', 4 * HOUR, cal)).toBe('2025-01-14T12:00:00.000Z');
    // Holiday on a day when the deadline would otherwise land; Boxing Day is a Friday and still open.
    expect(add('2025-12-24T16:00:00.000Z', 2 * HOUR, cal)).toBe('2025-12-26T10:00:00.000Z');
    expect(workingTimeBetween(at('2025-01-13T00:00:00.000Z'), at('2025-01-14T00:00:00.000Z'), cal)).toBe(0);
  });

  test('a holiday is a local date in the calendar time zone', () => {
    // Tokyo: 2025-01-13 (Monday) is a holiday in JST, which starts at 2025-01-12T15:00Z.
    const tokyo: BusinessCalendar = { timeZone: 'Asia/Tokyo', week: london.week, holidays: ['2025-01-13'] };
    // Friday 16:00 JST + 4h -> Tuesday 12:00 JST (03:00Z).
    expect(add('2025-01-10T07:00:00.000Z', 4 * HOUR, tokyo)).toBe('2025-01-14T03:00:00.000Z');
  });

  test('lunch breaks do not count', () => {
    // Monday 11:00 + 2h: 11:00-12:30 counts 1.5h, the lunch hour does not, 13:30 + 0.5h = 14:00.
    expect(add('2025-01-13T11:00:00.000Z', 2 * HOUR, londonWithLunch)).toBe('2025-01-13T14:00:00.000Z');
    // A deadline at the start of lunch stays there.
    expect(add('2025-01-13T11:00:00.000Z', 1.5 * HOUR, londonWithLunch)).toBe('2025-01-13T12:30:00.000Z');
    // Starting during lunch counts from 13:30.
    expect(add('2025-01-13T12:45:00.000Z', 30 * MINUTE, londonWithLunch)).toBe('2025-01-13T14:00:00.000Z');
    expect(workingTimeBetween(at('2025-01-13T09:00:00.000Z'), at('2025-01-13T17:30:00.000Z'), londonWithLunch)).toBe(
      7.5 * HOUR,
    );
  });

  test('across the spring DST change in Europe/London the deadline is still at the right local time', () => {
    // Clocks go forward on Sunday 2025-03-30. Friday 16:00 GMT + 4h -> Monday 12:00 BST (11:00Z).
    expect(add('2025-03-28T16:00:00.000Z', 4 * HOUR)).toBe('2025-03-31T11:00:00.000Z');
    // Monday opening is 09:00 BST = 08:00Z.
    expect(add('2025-03-29T12:00:00.000Z', 1 * MINUTE)).toBe('2025-03-31T08:01:00.000Z');
    expect(workingTimeBetween(at('2025-03-28T16:00:00.000Z'), at('2025-03-31T11:00:00.000Z'), london)).toBe(4 * HOUR);
  });

  test('across the autumn DST change in Europe/London the deadline is still at the right local time', () => {
    // Clocks go back on Sunday 2025-10-26. Friday 16:00 BST (15:00Z) + 4h -> Monday 12:00 GMT (12:00Z).
    expect(add('2025-10-24T15:00:00.000Z', 4 * HOUR)).toBe('2025-10-27T12:00:00.000Z');
    expect(workingTimeBetween(at('2025-10-24T15:00:00.000Z'), at('2025-10-27T12:00:00.000Z'), london)).toBe(4 * HOUR);
  });

  test('a working day on which the clocks change counts only the hours that really pass', () => {
    const sundays: BusinessCalendar = { timeZone: 'Europe/London', week: { sun: [['00:00', '24:00']] } };
    // Spring: Sunday has 23 real hours.
    expect(workingTimeBetween(at('2025-03-29T00:00:00.000Z'), at('2025-04-01T00:00:00.000Z'), sundays)).toBe(23 * HOUR);
    expect(add('2025-03-29T00:00:00.000Z', 23 * HOUR, sundays)).toBe('2025-03-30T23:00:00.000Z');
    // Autumn: Sunday has 25 real hours.
    expect(workingTimeBetween(at('2025-10-25T00:00:00.000Z'), at('2025-10-28T00:00:00.000Z'), sundays)).toBe(25 * HOUR);
    expect(add('2025-10-25T00:00:00.000Z', 25 * HOUR, sundays)).toBe('2025-10-27T00:00:00.000Z');
  });

  test('an opening time that does not exist on the spring DST day opens once the clocks have gone forward', () => {
    // New York: 2025-03-09 02:00 EST jumps to 03:00 EDT, so a 02:30 opening means 03:30 EDT (07:30Z).
    const ny: BusinessCalendar = { timeZone: 'America/New_York', week: { sun: [['02:30', '04:00']] } };
    expect(add('2025-03-08T12:00:00.000Z', 10 * MINUTE, ny)).toBe('2025-03-09T07:40:00.000Z');
    expect(workingTimeBetween(at('2025-03-08T00:00:00.000Z'), at('2025-03-10T00:00:00.000Z'), ny)).toBe(30 * MINUTE);
    // A week later the full 1.5h counts again (02:30 EDT = 06:30Z).
    expect(add('2025-03-15T12:00:00.000Z', 10 * MINUTE, ny)).toBe('2025-03-16T06:40:00.000Z');
  });

  test('deadlines follow the local working day in time zones far from UTC', () => {
    const la: BusinessCalendar = { ...london, timeZone: 'America/Los_Angeles' };
    // Friday 16:00 PST (Saturday 00:00Z) + 4h -> Monday 12:00 PST (20:00Z).
    expect(add('2025-01-11T00:00:00.000Z', 4 * HOUR, la)).toBe('2025-01-13T20:00:00.000Z');
    const kolkata: BusinessCalendar = { ...london, timeZone: 'Asia/Kolkata' };
    // Friday 16:00 IST (10:30Z) + 4h -> Monday 12:00 IST (06:30Z).
    expect(add('2025-01-10T10:30:00.000Z', 4 * HOUR, kolkata)).toBe('2025-01-13T06:30:00.000Z');
  });

  test('without a calendar every hour counts', () => {
    expect(addWorkingTime(at('2025-01-11T10:00:00.000Z'), 2 * HOUR, null).toISOString()).toBe('2025-01-11T12:00:00.000Z');
    expect(addWorkingTime(at('2025-01-11T10:00:00.000Z'), 50 * HOUR, undefined).toISOString()).toBe('2025-01-13T12:00:00.000Z');
    expect(addWorkingTime(at('2025-03-29T23:30:00.000Z'), 2 * HOUR).toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(workingTimeBetween(at('2025-01-11T10:00:00.000Z'), at('2025-01-13T12:00:00.000Z'))).toBe(50 * HOUR);
    expect(workingTimeBetween(at('2025-01-11T10:00:00.000Z'), at('2025-01-13T12:00:00.000Z'), null)).toBe(50 * HOUR);
  });

  test('workingTimeBetween is 0 when the end is not after the start', () => {
    expect(workingTimeBetween(at('2025-01-13T12:00:00.000Z'), at('2025-01-13T10:00:00.000Z'), london)).toBe(0);
    expect(workingTimeBetween(at('2025-01-13T12:00:00.000Z'), at('2025-01-13T12:00:00.000Z'), london)).toBe(0);
    expect(workingTimeBetween(at('2025-01-13T12:00:00.000Z'), at('2025-01-13T10:00:00.000Z'))).toBe(0);
  });

  test('a negative or invalid duration is refused', () => {
    expect(() => addWorkingTime(at('2025-01-13T12:00:00.000Z'), -1, london)).toThrow(/durationMs/);
    expect(() => addWorkingTime(at('2025-01-13T12:00:00.000Z'), Number.NaN, london)).toThrow(/durationMs/);
    expect(() => addWorkingTime(new Date(Number.NaN), HOUR, london)).toThrow(/start/);
  });
});

/** Small seeded PRNG (mulberry32) so the "random" cases are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('workingTimeBetween', () => {
  const calendars: BusinessCalendar[] = [
    london,
    londonWithLunch,
    { ...london, holidays: ['2025-03-31', '2025-04-18', '2025-04-21', '2025-12-25', '2025-12-26'] },
    {
      timeZone: 'America/New_York',
      week: { mon: [['08:00', '12:00'], ['13:00', '18:00']], wed: nineToFive, sat: [['10:00', '14:00']] },
      holidays: ['2025-07-04'],
    },
    { timeZone: 'Australia/Sydney', week: { sun: [['00:00', '24:00']], mon: [['01:30', '03:30']], thu: nineToFive } },
    { timeZone: 'Asia/Kolkata', week: { tue: [['09:30', '18:15']], fri: [['00:00', '24:00']] } },
  ];

  test('workingTimeBetween is the inverse of addWorkingTime', () => {
    const rand = mulberry32(20250101);
    const from = Date.parse('2024-01-01T00:00:00.000Z');
    const span = Date.parse('2026-12-31T00:00:00.000Z') - from;
    let checked = 0;
    for (const cal of calendars) {
      for (let i = 0; i < 60; i++) {
        const start = new Date(from + Math.floor(rand() * span));
        const duration = Math.floor(rand() * 120 * HOUR);
        const deadline = addWorkingTime(start, duration, cal);
        expect(deadline.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(workingTimeBetween(start, deadline, cal)).toBe(duration);
        // The deadline is the earliest such instant: a millisecond earlier is not enough.
        if (duration > 0) expect(workingTimeBetween(start, new Date(deadline.getTime() - 1), cal)).toBe(duration - 1);

        // The other way round: the working time up to any instant b leads back to an instant no later than b.
        const b = new Date(start.getTime() + Math.floor(rand() * 30 * 24 * HOUR));
        const worked = workingTimeBetween(start, b, cal);
        const back = addWorkingTime(start, worked, cal);
        expect(back.getTime()).toBeLessThanOrEqual(b.getTime());
        expect(workingTimeBetween(start, back, cal)).toBe(worked);
        checked++;
      }
    }
    expect(checked).toBe(calendars.length * 60);
  });

  test('working time adds up across consecutive spans', () => {
    const rand = mulberry32(7);
    const base = Date.parse('2025-03-20T00:00:00.000Z');
    for (const cal of calendars) {
      for (let i = 0; i < 20; i++) {
        const [x, y, z] = [rand(), rand(), rand()].map((r) => base + Math.floor(r * 20 * 24 * HOUR)).sort((p, q) => p - q);
        const a = new Date(x), b = new Date(y), c = new Date(z);
        expect(workingTimeBetween(a, b, cal) + workingTimeBetween(b, c, cal)).toBe(workingTimeBetween(a, c, cal));
      }
    }
  });

  test('a known week has the expected number of working hours', () => {
    // Monday 2025-01-13 00:00 to the next Monday 00:00: five 8-hour days.
    expect(workingTimeBetween(at('2025-01-13T00:00:00.000Z'), at('2025-01-20T00:00:00.000Z'), london)).toBe(40 * HOUR);
    // With lunch: five 7.5-hour days (3.5h + 4h).
    expect(workingTimeBetween(at('2025-01-13T00:00:00.000Z'), at('2025-01-20T00:00:00.000Z'), londonWithLunch)).toBe(
      37.5 * HOUR,
    );
  });
});

describe('validateCalendar', () => {
  const valid = () => ({ timeZone: 'Europe/London', week: { mon: [['09:00', '17:00']] }, holidays: ['2025-12-25'] });

  test('a valid calendar is accepted and its intervals are put in order', () => {
    const cal = validateCalendar({
      timeZone: 'Europe/London',
      week: { mon: [['13:30', '17:30'], ['09:00', '12:30']], sun: [['00:00', '24:00']] },
      holidays: ['2024-02-29'],
    });
    expect(cal).toEqual({
      timeZone: 'Europe/London',
      week: { mon: [['09:00', '12:30'], ['13:30', '17:30']], sun: [['00:00', '24:00']] },
      holidays: ['2024-02-29'],
    });
    expect(validateCalendar(valid())).toEqual(valid());
  });

  test('a bad time zone is reported as calendar.timeZone', () => {
    expect(() => validateCalendar({ ...valid(), timeZone: 'Mars/Olympus_Mons' })).toThrow(
      'calendar.timeZone: "Mars/Olympus_Mons" is not a valid IANA time zone',
    );
    expect(() => validateCalendar({ ...valid(), timeZone: '' })).toThrow(/^calendar\.timeZone:/);
    expect(() => validateCalendar({ week: valid().week })).toThrow(/^calendar\.timeZone:/);
  });

  test('a time not in HH:MM form is reported with its position', () => {
    expect(() => validateCalendar({ ...valid(), week: { mon: [['9:00', '17:00']] } })).toThrow(
      'calendar.week.mon[0][0]: "9:00" is not a valid time',
    );
    expect(() => validateCalendar({ ...valid(), week: { tue: [['09:00', '12:00'], ['13:00', '17:60']] } })).toThrow(
      'calendar.week.tue[1][1]: "17:60" is not a valid time',
    );
    expect(() => validateCalendar({ ...valid(), week: { wed: [['24:00', '24:00']] } })).toThrow(/^calendar\.week\.wed\[0\]\[0\]:/);
    expect(() => validateCalendar({ ...valid(), week: { thu: [['09:00']] } })).toThrow(/^calendar\.week\.thu\[0\]:/);
    expect(() => validateCalendar({ ...valid(), week: { fri: 'nine to five' } })).toThrow(/^calendar\.week\.fri:/);
  });

  test('an interval ending before it starts is reported', () => {
    expect(() => validateCalendar({ ...valid(), week: { tue: [['17:00', '09:00']] } })).toThrow(
      'calendar.week.tue[0]: end 09:00 is not after start 17:00',
    );
    expect(() => validateCalendar({ ...valid(), week: { tue: [['09:00', '09:00']] } })).toThrow(/^calendar\.week\.tue\[0\]:/);
  });

  test('overlapping intervals are reported', () => {
    expect(() => validateCalendar({ ...valid(), week: { wed: [['12:00', '17:00'], ['09:00', '13:00']] } })).toThrow(
      'calendar.week.wed: intervals 09:00-13:00 and 12:00-17:00 overlap',
    );
    // Touching intervals are fine.
    expect(() => validateCalendar({ ...valid(), week: { wed: [['09:00', '12:00'], ['12:00', '17:00']] } })).not.toThrow();
  });

  test('a bad holiday date is reported with its position', () => {
    expect(() => validateCalendar({ ...valid(), holidays: ['2025-12-25', '2025-02-30'] })).toThrow(
      'calendar.holidays[1]: "2025-02-30" is not a valid date (expected YYYY-MM-DD)',
    );
    expect(() => validateCalendar({ ...valid(), holidays: ['25/12/2025'] })).toThrow(/^calendar\.holidays\[0\]:/);
    expect(() => validateCalendar({ ...valid(), holidays: '2025-12-25' })).toThrow(/^calendar\.holidays:/);
  });

  test('an unknown weekday or a missing week is reported', () => {
    expect(() => validateCalendar({ ...valid(), week: { monday: [['09:00', '17:00']] } })).toThrow(/^calendar\.week\.monday:/);
    expect(() => validateCalendar({ timeZone: 'UTC' })).toThrow(/^calendar\.week:/);
    expect(() => validateCalendar(null)).toThrow(/^calendar:/);
  });

  test('a week without any working hours is refused instead of looping forever', () => {
    const closed = { timeZone: 'Europe/London', week: {} } as BusinessCalendar;
    expect(() => validateCalendar(closed)).toThrow('calendar.week: has no working hours');
    expect(() => validateCalendar({ timeZone: 'Europe/London', week: { mon: [] } })).toThrow('calendar.week: has no working hours');
    expect(() => addWorkingTime(at('2025-01-13T12:00:00.000Z'), HOUR, closed)).toThrow('calendar.week: has no working hours');
    expect(() => workingTimeBetween(at('2025-01-13T12:00:00.000Z'), at('2025-01-14T12:00:00.000Z'), closed)).toThrow(
      'calendar.week: has no working hours',
    );
  });

  test('a deadline that cannot be reached within about five years is refused', () => {
    // One hour a week: ten thousand hours is far beyond five years.
    const sparse: BusinessCalendar = { timeZone: 'UTC', week: { mon: [['09:00', '10:00']] } };
    expect(() => addWorkingTime(at('2025-01-13T12:00:00.000Z'), 10_000 * HOUR, sparse)).toThrow(/not reached within/);
    // Just under four years still works: the 200th Monday after the start.
    expect(addWorkingTime(at('2025-01-13T12:00:00.000Z'), 200 * HOUR, sparse).toISOString()).toBe('2028-11-13T10:00:00.000Z');
  });
});
