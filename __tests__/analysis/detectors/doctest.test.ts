import { describe } from 'vitest';
import { doctestDetector } from '../../../src/analysis/detectors/doctest.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('doctest detector', () => {
  describeDetectorContract(doctestDetector);
  describeFixtureTable(doctestDetector);
});
