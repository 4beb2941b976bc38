/** Every fixer, listed explicitly. docs/fixers.md is generated from this list. */
import { autopep8Fixer } from './autopep8.js';
import { blackFixer } from './black.js';
import { createMissingDirectoryFixer } from './create-missing-directory.js';
import { eslintFixer } from './eslint.js';
import { gofmtFixer } from './gofmt.js';
import { isortFixer } from './isort.js';
import { markdownlintFixer } from './markdownlint.js';
import { prettierFixer } from './prettier.js';
import { pythonRequirementFixer } from './python-requirement.js';
import { rustfmtFixer } from './rustfmt.js';
import type { Fixer } from './types.js';

/**
 * Order is the order fixes are applied in: isort before black (black has the last word on
 * layout), autopep8 after black (only what black left), prettier before eslint --fix.
 */
export const FIXERS: readonly Fixer[] = [
  isortFixer,
  blackFixer,
  autopep8Fixer,
  prettierFixer,
  eslintFixer,
  gofmtFixer,
  rustfmtFixer,
  markdownlintFixer,
  pythonRequirementFixer,
  createMissingDirectoryFixer,
];
