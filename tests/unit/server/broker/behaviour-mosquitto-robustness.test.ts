// The same robustness checks against Debian's Mosquitto 2, started by the lab as
// `npm start -- --broker mosquitto` starts it (the suite is in tests/helpers/behaviour-suite.ts;
// the guided experiments are in behaviour-mosquitto.test.ts).
import { startLabMosquitto } from '../../../helpers/brokers.ts';
import { behaviourSuite } from '../../../helpers/behaviour-suite.ts';

behaviourSuite('mosquitto', startLabMosquitto, 'robustness');
