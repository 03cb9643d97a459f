// The lab's experiments and robustness checks against the embedded broker (the suite is in
// tests/helpers/behaviour-suite.ts, shared with behaviour-mosquitto.test.ts).
import { startEmbedded } from '../../../helpers/brokers.ts';
import { behaviourSuite } from '../../../helpers/behaviour-suite.ts';

behaviourSuite('embedded', () => startEmbedded());
