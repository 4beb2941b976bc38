import { describe } from 'vitest';
import { mochaDetector } from '../../../src/analysis/detectors/mocha.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('mocha detector', () => {
  describeDetectorContract(mochaDetector);
  describeFixtureTable(mochaDetector);
});
