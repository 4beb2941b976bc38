import { describe } from 'vitest';
import { pipDetector } from '../../../src/analysis/detectors/pip.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('pip detector', () => {
  describeDetectorContract(pipDetector);
  describeFixtureTable(pipDetector);
});
