// The parts of the MQTT lab that matter only once it talks to a broker: the packet log, the
// diagnosis of a failed connection and the experiments. The lab loads them together with mqtt.js
// on first use, so the page's JavaScript before any lazy chunk stays small.
export { PacketLog } from './packet-log.ts';
export { diagnose } from './doctor.ts';
export {
  kill,
  runQosExperiment,
  runRetainedExperiment,
  runSessionExperiment,
  runWillExperiment,
} from './experiments.ts';
