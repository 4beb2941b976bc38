import { describe } from 'vitest';
import { jestDetector } from '../../../src/analysis/detectors/jest.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('jest detector', () => {
  describeDetectorContract(jestDetector);
  describeFixtureTable(jestDetector);
});
