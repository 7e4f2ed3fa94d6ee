// ISO 8601 dates and times as this system writes them, converted to and from Vietnam local time
// (UTC+07:00), which is what canonical dates are (QCVN 102 carries no zone).

const VN_OFFSET_MINUTES = 7 * 60;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export class DateError extends Error {}

function checked(y, mo, d, h = 0, mi = 0, s = 0) {
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return t;
}

// `2026-11-20T02:15:00Z` → Vietnam local 09:15:00; without a zone the time is taken as local.
export function parseDateTime(text) {
  const m = DATE_TIME.exec(text.trim());
  const t = m && checked(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0));
  if (t === undefined || t === null) throw new DateError(`\`${text}\` is not an ISO 8601 date-time (e.g. 2026-11-20T09:15:00+07:00)`);
  let offset = VN_OFFSET_MINUTES;
  const zone = m[7];
  if (zone === "Z") offset = 0;
  else if (zone) {
    const z = zone.replace(":", "");
    offset = (z[0] === "-" ? -1 : 1) * (+z.slice(1, 3) * 60 + +z.slice(3, 5));
  }
  const local = new Date(t - (offset - VN_OFFSET_MINUTES) * 60000);
  return {
    date: { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() },
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

// `2026-11-20`; a full date-time is accepted and its Vietnam local date taken.
export function parseDate(text) {
  const m = DATE.exec(text.trim());
  if (!m) return parseDateTime(text).date;
  if (checked(+m[1], +m[2], +m[3]) === undefined) throw new DateError(`\`${text}\` is not a calendar date`);
  return { year: +m[1], month: +m[2], day: +m[3] };
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

export const formatDate = (d) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

export const formatDateTime = (t) =>
  `${formatDate(t.date)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}+07:00`;
