import { describe } from 'vitest';
import { infrastructureDetector } from '../../../src/analysis/detectors/infrastructure.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('infrastructure detector', () => {
  describeDetectorContract(infrastructureDetector);
  describeFixtureTable(infrastructureDetector);
});
