/** A broker account. `device` accounts may publish under `vehicle/#` and `fleet/#`. */
export interface BrokerUser {
  username: string;
  password: string;
  role: 'device';
}

/** Credentials the fleet simulator (and the aggregator) use to publish vehicle and fleet topics. */
export function fleetCredentials(env: NodeJS.ProcessEnv = process.env): BrokerUser {
  return {
    username: env['LAB_FLEET_USER'] || 'fleet-sim',
    password: env['LAB_FLEET_PASSWORD'] || 'fleet-sim-secret',
    role: 'device',
  };
}

/** Every account the embedded broker knows. Anonymous clients need none (see the ACL). */
export function brokerUsers(env: NodeJS.ProcessEnv = process.env): BrokerUser[] {
  return [fleetCredentials(env)];
}
