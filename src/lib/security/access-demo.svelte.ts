// State of the security chapter's demo: runs the two live checks and keeps what they found.
import type { IClientOptions, MqttClient } from 'mqtt';
import { resolveBrokerWsUrl, type ConfigResponse } from '../wire/health.ts';
import { chatUrl } from '../wire/chat-limits.ts';
import {
  aclFilters,
  checkAcl,
  checkOrigin,
  type AclAnswer,
  type OriginReport,
  type SocketLike,
} from './access-check.ts';

/** What the demo needs from the page: its URL, fetch, WebSocket and a loader for mqtt.js. */
export interface AccessDemoDeps {
  pageUrl: () => string;
  fetch: typeof fetch;
  openSocket: (url: string) => SocketLike;
  loadConnect: () => Promise<(url: string, opts: IClientOptions) => MqttClient>;
  /** A short random string, so that each run subscribes under its own `lab/` prefix. */
  randomId: () => string;
}

/** The demo's state: idle, running, or the two checks' results (or the error that stopped them). */
export class AccessDemo {
  running = $state(false);
  origin: OriginReport | null = $state(null);
  acl: AclAnswer[] = $state([]);
  /** Which check failed (the chat did not welcome us, or the broker did not answer). */
  failed: 'origin' | 'acl' | null = $state(null);
  readonly #deps: AccessDemoDeps;

  constructor(deps: AccessDemoDeps) {
    this.#deps = deps;
  }

  /** Runs both checks against the lab that served the page. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.failed = null;
    this.origin = null;
    this.acl = [];
    const page = this.#deps.pageUrl();
    try {
      this.origin = await checkOrigin(this.#deps.openSocket, chatUrl(page));
    } catch {
      this.failed = 'origin';
    }
    try {
      const config = (await (await this.#deps.fetch('/api/config')).json()) as ConfigResponse;
      const connect = await this.#deps.loadConnect();
      const filters = aclFilters(`lab/access-${this.#deps.randomId()}`);
      this.acl = await checkAcl(connect, resolveBrokerWsUrl(config.broker, page), filters);
    } catch {
      this.failed ??= 'acl';
    } finally {
      this.running = false;
    }
  }
}
