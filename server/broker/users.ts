/** A broker account. `device` accounts may publish under `vehicle/#` and `fleet/#`. */
export interface BrokerUser {
  username: string;
  password: string;
  role: 'device';
  /**
   * Client id prefixes this account's clients use; an anonymous client may not connect with
   * one, so nobody without the password can take over (and disconnect) one of them.
   */
  clientIdPrefixes: readonly string[];
}

/** Credentials the fleet simulator (and the aggregator) use to publish vehicle and fleet topics. */
export function fleetCredentials(env: NodeJS.ProcessEnv = process.env): BrokerUser {
  return {
    username: env['LAB_FLEET_USER'] || 'fleet-sim',
    password: env['LAB_FLEET_PASSWORD'] || 'fleet-sim-secret',
    role: 'device',
    // The simulator's vehicles and probe, and the aggregator (server/fleet); the browsers'
    // fleet view (`fleet-view-`) stays anonymous.
    clientIdPrefixes: ['vehicle-', 'fleet-aggregator-', 'fleet-probe-'],
  };
}

/** Every account the embedded broker knows. Anonymous clients need none (see the ACL). */
export function brokerUsers(env: NodeJS.ProcessEnv = process.env): BrokerUser[] {
  return [fleetCredentials(env)];
}
