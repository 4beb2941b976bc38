import { describe } from 'vitest';
import { jsPackageManagersDetector } from '../../../src/analysis/detectors/js-package-managers.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('js-package-managers detector', () => {
  describeDetectorContract(jsPackageManagersDetector);
  describeFixtureTable(jsPackageManagersDetector);
});
