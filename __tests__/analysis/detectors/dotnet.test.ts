import { describe } from 'vitest';
import { dotnetDetector } from '../../../src/analysis/detectors/dotnet.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('dotnet detector', () => {
  describeDetectorContract(dotnetDetector);
  describeFixtureTable(dotnetDetector);
});
