import { describe } from 'vitest';
import { nodeDetector } from '../../../src/analysis/detectors/node.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('node detector', () => {
  describeDetectorContract(nodeDetector);
  describeFixtureTable(nodeDetector);
});
