import { describe } from 'vitest';
import { nodeTestDetector } from '../../../src/analysis/detectors/node-test.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('node-test detector', () => {
  describeDetectorContract(nodeTestDetector);
  describeFixtureTable(nodeTestDetector);
});
