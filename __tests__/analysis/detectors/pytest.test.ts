import { describe } from 'vitest';
import { pytestDetector } from '../../../src/analysis/detectors/pytest.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('pytest detector', () => {
  describeDetectorContract(pytestDetector);
  describeFixtureTable(pytestDetector);
});
