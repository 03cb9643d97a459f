// The same guided experiments against Debian's Mosquitto 2, started by the lab as
// `npm start -- --broker mosquitto` starts it (the suite is in tests/helpers/behaviour-suite.ts;
// the robustness checks are in behaviour-mosquitto-robustness.test.ts).
import { startLabMosquitto } from '../../../helpers/brokers.ts';
import { behaviourSuite } from '../../../helpers/behaviour-suite.ts';

behaviourSuite('mosquitto', startLabMosquitto, 'experiments');
