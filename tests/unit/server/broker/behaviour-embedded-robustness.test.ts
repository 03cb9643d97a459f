// The robustness checks against the embedded broker: forced disconnects mid-stream, wills,
// wrong passwords, oversized and malformed packets (the suite is in
// tests/helpers/behaviour-suite.ts; the guided experiments are in behaviour-embedded.test.ts).
import { startEmbedded } from '../../../helpers/brokers.ts';
import { behaviourSuite } from '../../../helpers/behaviour-suite.ts';

behaviourSuite('embedded', () => startEmbedded(), 'robustness');
