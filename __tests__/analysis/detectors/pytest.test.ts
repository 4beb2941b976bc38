import { describe } from 'vitest';
import { pytestDetector } from '../../../src/analysis/detectors/pytest.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('pytest detector', () => {
  describeDetectorContract(pytestDetector);
  describeFixtureTable(pytestDetector);
});
