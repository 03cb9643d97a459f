// The same experiments and robustness checks against Debian's Mosquitto 2, started here with
// a generated config (the suite is in tests/helpers/behaviour-suite.ts).
import { startMosquitto } from '../../../helpers/brokers.ts';
import { behaviourSuite } from '../../../helpers/behaviour-suite.ts';

behaviourSuite('mosquitto', startMosquitto);
