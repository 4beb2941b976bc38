import { describe } from 'vitest';
import { rustDetector } from '../../../src/analysis/detectors/rust.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('rust detector', () => {
  describeDetectorContract(rustDetector);
  describeFixtureTable(rustDetector);
});
