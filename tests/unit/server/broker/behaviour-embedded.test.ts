// The lab's guided experiments against the embedded broker (the suite is in
// tests/helpers/behaviour-suite.ts, shared with the Mosquitto files; the robustness checks are in
// behaviour-embedded-robustness.test.ts).
import { startEmbedded } from '../../../helpers/brokers.ts';
import { behaviourSuite } from '../../../helpers/behaviour-suite.ts';

behaviourSuite('embedded', () => startEmbedded(), 'experiments');
