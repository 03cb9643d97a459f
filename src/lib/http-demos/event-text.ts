import { TICKER_LOG_LINES, TICKER_MANUAL_TEXT, TICKER_SENSORS } from '../wire/http-demos.ts';

/** The id of one of the ticker's log lines. */
export type TickerLineId = (typeof TICKER_LOG_LINES)[number]['id'];
/** One of the ticker's simulated sensors. */
export type TickerSensor = (typeof TICKER_SENSORS)[number];

/** The dictionary key (and values) that says a ticker event's text in the page's language. */
export type EventText =
  | { key: `ev.${TickerLineId}` | 'ev.manual'; vars?: undefined }
  | { key: 'ev.reading'; vars: { sensor: `sensor.${TickerSensor}`; value: string } };

const READING = /^(\w+) (-?\d+(?:\.\d+)?) °C$/;

/**
 * Reads the English text the server puts in a ticker event (the wire keeps it, so the byte counts
 * the chapters quote stay true) and returns what to translate; null for a text it does not know,
 * which the page then shows as it came.
 */
export function eventText(text: string): EventText | null {
  if (text === TICKER_MANUAL_TEXT) return { key: 'ev.manual' };
  const line = TICKER_LOG_LINES.find((l) => l.text === text);
  if (line) return { key: `ev.${line.id}` };
  const m = READING.exec(text);
  const sensor = TICKER_SENSORS.find((s) => s === m?.[1]);
  if (m && sensor)
    return { key: 'ev.reading', vars: { sensor: `sensor.${sensor}`, value: m[2] ?? '' } };
  return null;
}

/** The dictionary keys `sayEvent` needs. */
export type EventTextKey = EventText['key'] | `sensor.${TickerSensor}`;

/** A ticker event's text in the page's language (unknown texts as they came). */
export function sayEvent(
  text: string,
  t: (key: EventTextKey, vars?: Record<string, string | number>) => string,
): string {
  const ev = eventText(text);
  if (!ev) return text;
  if (ev.key === 'ev.reading')
    return t(ev.key, { sensor: t(ev.vars.sensor), value: ev.vars.value });
  return t(ev.key);
}
