// Dates and times in the browser's own locale and time zone (Intl), one formatter for the inbox, the
// notifications and the decisions shown on the review and task pages.
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const when = (iso: string): string => full.format(new Date(iso));

/** "3 hours", "2 days": how long something has waited, in the browser's language. */
export function waited(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  const rel = new Intl.NumberFormat(undefined, { style: 'unit', unitDisplay: 'long', unit: minutes < 60 ? 'minute' : minutes < 60 * 48 ? 'hour' : 'day' });
  return rel.format(minutes < 60 ? minutes : minutes < 60 * 48 ? Math.round(minutes / 60) : Math.round(minutes / 1440));
}
