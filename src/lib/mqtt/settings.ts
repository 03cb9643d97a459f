// Connection settings of the MQTT lab: defaults, validation, and sharing as a URL.
import { checkTopicName } from '../wire/mqtt-topic.ts';

/** Which broker the lab connects to. */
export type Preset = 'this-server' | 'mosquitto' | 'emqx' | 'custom';

/** URLs of the fixed presets ("this server" is resolved from GET /api/config). */
export const PRESET_URLS: Record<Exclude<Preset, 'this-server' | 'custom'>, string> = {
  mosquitto: 'ws://localhost:9001',
  emqx: 'wss://broker.emqx.io:8084/mqtt',
};

/** Everything the connection panel edits. */
export interface LabSettings {
  preset: Preset;
  customUrl: string;
  protocolVersion: 4 | 5;
  clientId: string;
  clean: boolean;
  /** MQTT 5 session expiry (s). */
  sessionExpiry: number;
  keepalive: number;
  username: string;
  password: string;
  reconnectPeriod: number;
  willTopic: string;
  willPayload: string;
  willQos: 0 | 1 | 2;
  willRetain: boolean;
}

/** A setting that cannot be used, with the dictionary key that explains it. */
export interface SettingProblem {
  field: keyof LabSettings;
  key:
    | 'err.url'
    | 'err.clientId'
    | 'err.keepalive'
    | 'err.sessionExpiry'
    | 'err.reconnect'
    | 'err.willTopic';
}

/** Random bytes: `crypto.getRandomValues`, which (unlike `crypto.randomUUID`) plain http has. */
export type RandomBytes = (n: number) => Uint8Array;

const cryptoBytes: RandomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/**
 * A new client id: `lab-` and 8 hex digits, 12 bytes. Within the 23 bytes every broker must
 * accept [MQTT-3.1.3-5]; the hyphen is outside the letters and digits that rule guarantees, and
 * every broker the lab was tried with (Aedes, Mosquitto, EMQX) accepts it. 32 random bits: two
 * tabs of a 300-person workshop share an id with a chance of about 1 in 100,000.
 */
export function randomClientId(bytes: RandomBytes = cryptoBytes): string {
  return `lab-${[...bytes(4)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Fresh defaults with a random client id. */
export function defaultSettings(bytes: RandomBytes = cryptoBytes): LabSettings {
  return {
    preset: 'this-server',
    customUrl: '',
    protocolVersion: 4,
    clientId: randomClientId(bytes),
    clean: true,
    sessionExpiry: 0,
    keepalive: 30,
    username: '',
    password: '',
    reconnectPeriod: 0,
    willTopic: '',
    willPayload: '',
    willQos: 0,
    willRetain: false,
  };
}

const isInt = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** Checks settings before connecting; an empty list means they can be used. */
export function validateSettings(s: LabSettings, thisServerUrl: string | null): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const url = brokerUrl(s, thisServerUrl);
  // "This server" is known once GET /api/config answers; until then there is nothing to check.
  if (s.preset !== 'this-server' || thisServerUrl !== null)
    try {
      const u = new URL(url ?? '');
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error('scheme');
    } catch {
      problems.push({ field: 'customUrl', key: 'err.url' });
    }
  // [MQTT-3.1.3-5]: 1-23 bytes is what every server must accept; longer often works too.
  if (new TextEncoder().encode(s.clientId).length > 65535 || (!s.clientId && !s.clean)) {
    problems.push({ field: 'clientId', key: 'err.clientId' });
  }
  if (!isInt(s.keepalive, 0, 65535)) problems.push({ field: 'keepalive', key: 'err.keepalive' });
  if (!isInt(s.sessionExpiry, 0, 4294967295))
    problems.push({ field: 'sessionExpiry', key: 'err.sessionExpiry' });
  if (!isInt(s.reconnectPeriod, 0, 600000))
    problems.push({ field: 'reconnectPeriod', key: 'err.reconnect' });
  if (s.willTopic && checkTopicName(s.willTopic))
    problems.push({ field: 'willTopic', key: 'err.willTopic' });
  return problems;
}

/** The WebSocket URL the settings point at. */
export function brokerUrl(s: LabSettings, thisServerUrl: string | null): string | null {
  if (s.preset === 'this-server') return thisServerUrl;
  if (s.preset === 'custom') return s.customUrl.trim();
  return PRESET_URLS[s.preset];
}

// The password is never put in a shared URL or in storage. Nor is the client id: it is this tab's
// identity, and a second client with it would take the session over [MQTT-3.1.4-2].
const SHARED: (keyof LabSettings)[] = [
  'preset',
  'customUrl',
  'protocolVersion',
  'clean',
  'sessionExpiry',
  'keepalive',
  'username',
  'reconnectPeriod',
  'willTopic',
  'willPayload',
  'willQos',
  'willRetain',
];

/** Settings as URL search parameters (no password). */
export function toSearchParams(s: LabSettings): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of SHARED) p.set(`mqtt.${k}`, String(s[k]));
  return p;
}

/** Reads settings from search parameters (or stored JSON), over `base`; unknown values are ignored. */
export function fromRecord(base: LabSettings, get: (k: string) => string | null): LabSettings {
  const out: LabSettings = { ...base };
  const num = (k: keyof LabSettings) => {
    const v = get(`mqtt.${k}`);
    return v !== null && /^\d+$/.test(v) ? Number(v) : null;
  };
  const preset = get('mqtt.preset');
  if (preset && ['this-server', 'mosquitto', 'emqx', 'custom'].includes(preset))
    out.preset = preset as Preset;
  const pv = num('protocolVersion');
  if (pv === 4 || pv === 5) out.protocolVersion = pv;
  for (const k of ['customUrl', 'clientId', 'username', 'willTopic', 'willPayload'] as const) {
    const v = get(`mqtt.${k}`);
    if (v !== null) out[k] = v;
  }
  for (const k of ['clean', 'willRetain'] as const) {
    const v = get(`mqtt.${k}`);
    if (v === 'true' || v === 'false') out[k] = v === 'true';
  }
  for (const k of ['sessionExpiry', 'keepalive', 'reconnectPeriod'] as const) {
    const v = num(k);
    if (v !== null) out[k] = v;
  }
  const wq = num('willQos');
  if (wq === 0 || wq === 1 || wq === 2) out.willQos = wq;
  return out;
}

/** The page's localStorage or sessionStorage, or a fake in tests. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** localStorage key of the settings every tab of the origin shares (no password, no client id). */
export const SETTINGS_KEY = 'realtime-lab.mqtt.settings';
/** sessionStorage key of this tab's own client id. */
export const TAB_CLIENT_ID_KEY = 'realtime-lab.mqtt.clientId';

/** Where settings are kept: shared ones in local storage, the client id in the tab's session. */
export interface SettingsStores {
  local: StorageLike | null;
  session: StorageLike | null;
}

function tryGet(store: StorageLike | null, key: string): string | null {
  try {
    return store?.getItem(key) ?? null;
  } catch {
    return null; // storage disabled (private mode, blocked cookies): behave as empty
  }
}

function trySet(store: StorageLike | null, key: string, value: string): void {
  try {
    store?.setItem(key, value);
  } catch {
    // Full or disabled storage: the settings simply last as long as the page.
  }
}

/**
 * Settings for this tab: the defaults, then what every tab of the origin shares (local storage),
 * then this tab's client id (session storage, so a reload keeps the id and its persistent session,
 * while another tab gets its own), then a shared link's values.
 */
export function loadSettings(
  base: LabSettings,
  stores: SettingsStores,
  params: URLSearchParams,
): LabSettings {
  let s = base;
  try {
    const stored = JSON.parse(tryGet(stores.local, SETTINGS_KEY) ?? '{}') as Record<
      string,
      unknown
    >;
    s = fromRecord(s, (k) => {
      const name = k.slice(5);
      return name !== 'clientId' && name in stored ? String(stored[name]) : null;
    });
  } catch {
    // Unreadable JSON: keep the defaults.
  }
  const own = tryGet(stores.session, TAB_CLIENT_ID_KEY);
  s = { ...s, clientId: own ?? s.clientId };
  // A link from before client ids left shared links may still carry one: ignore it.
  s = fromRecord(s, (k) => (k === 'mqtt.clientId' ? null : params.get(k)));
  trySet(stores.session, TAB_CLIENT_ID_KEY, s.clientId);
  return s;
}

/** Saves settings: the client id to this tab's session, the rest (never the password) for all tabs. */
export function saveSettings(s: LabSettings, stores: SettingsStores): void {
  const shared: Partial<LabSettings> = { ...s };
  delete shared.clientId;
  delete shared.password;
  trySet(stores.session, TAB_CLIENT_ID_KEY, s.clientId);
  trySet(stores.local, SETTINGS_KEY, JSON.stringify(shared));
}
