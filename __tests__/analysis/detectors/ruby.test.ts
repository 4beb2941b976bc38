import { describe } from 'vitest';
import { rubyDetector } from '../../../src/analysis/detectors/ruby.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('ruby detector', () => {
  describeDetectorContract(rubyDetector);
  describeFixtureTable(rubyDetector);
});
