/**
 * Every detector, listed explicitly. docs/detectors.md is generated from this list and a test
 * fails when a detector file is not registered or not documented. Keep each family's block
 * together; order inside a block does not matter (ranking is done by classify.ts).
 */
import type { Detector } from './types.js';

// -- generic (engine)
import { githubErrorDetector } from './detectors/github-error.js';
import { exitCodeDetector } from './detectors/exit-code.js';
import { genericErrorDetector } from './detectors/generic-error.js';

// -- python
import { blackDetector } from './detectors/black.js';
import { doctestDetector } from './detectors/doctest.js';
import { flake8Detector } from './detectors/flake8.js';
import { isortDetector } from './detectors/isort.js';
import { mypyDetector } from './detectors/mypy.js';
import { pipDetector } from './detectors/pip.js';
import { pylintDetector } from './detectors/pylint.js';
import { pyrightDetector } from './detectors/pyright.js';
import { pytestDetector } from './detectors/pytest.js';
import { pythonTracebackDetector } from './detectors/python-traceback.js';
import { pytorchRunTestDetector } from './detectors/pytorch-run-test.js';
import { ruffDetector } from './detectors/ruff.js';
import { lintrunnerDetector } from './detectors/lintrunner.js';
import { toxDetector } from './detectors/tox.js';
import { unittestDetector } from './detectors/unittest.js';

// -- javascript / typescript, shell, infrastructure
import { policyGateDetector } from './detectors/policy-gate.js';
import { diffCheckDetector } from './detectors/diff-check.js';
import { preCommitDetector } from './detectors/pre-commit.js';
import { dependabotDetector } from './detectors/dependabot.js';
import { officialActionsDetector } from './detectors/official-actions.js';
import { shellcheckDetector } from './detectors/shellcheck.js';
import { yamllintDetector } from './detectors/yamllint.js';
import { bundlerDetector } from './detectors/bundler.js';
import { nodeTestDetector } from './detectors/node-test.js';
import { mochaDetector } from './detectors/mocha.js';
import { jasmineDetector } from './detectors/jasmine.js';
import { vitestDetector } from './detectors/vitest.js';
import { jsPackageManagersDetector } from './detectors/js-package-managers.js';
import { shellDetector } from './detectors/shell.js';
import { nodeDetector } from './detectors/node.js';
import { infrastructureDetector } from './detectors/infrastructure.js';
import { jestDetector } from './detectors/jest.js';
import { prettierDetector } from './detectors/prettier.js';
import { eslintDetector } from './detectors/eslint.js';
import { tscDetector } from './detectors/tsc.js';

// -- go, rust, jvm, c/c++, .net, ruby, php, perl, swift, elixir/erlang, haskell
import { beamDetector } from './detectors/beam.js';
import { cmakeDetector } from './detectors/cmake.js';
import { dotnetDetector } from './detectors/dotnet.js';
import { elispDetector } from './detectors/elisp.js';
import { gccDetector } from './detectors/gcc.js';
import { goDetector } from './detectors/go.js';
import { haskellDetector } from './detectors/haskell.js';
import { jvmDetector } from './detectors/jvm.js';
import { markdownLintDetector } from './detectors/markdown-lint.js';
import { msvcDetector } from './detectors/msvc.js';
import { perlDetector } from './detectors/perl.js';
import { phpDetector } from './detectors/php.js';
import { rCheckDetector } from './detectors/r-check.js';
import { rubyDetector } from './detectors/ruby.js';
import { rustDetector } from './detectors/rust.js';
import { sharedLibraryDetector } from './detectors/shared-library.js';
import { sassDetector } from './detectors/sass.js';
import { sanitizerDetector } from './detectors/sanitizer.js';
import { gtestDetector } from './detectors/gtest.js';
import { swiftDetector } from './detectors/swift.js';

export const DETECTORS: readonly Detector[] = [
  // -- generic (engine)
  githubErrorDetector,
  exitCodeDetector,
  genericErrorDetector,
  // -- python
  pytestDetector,
  unittestDetector,
  doctestDetector,
  toxDetector,
  mypyDetector,
  pyrightDetector,
  pylintDetector,
  ruffDetector,
  lintrunnerDetector,
  flake8Detector,
  blackDetector,
  isortDetector,
  pipDetector,
  pythonTracebackDetector,
  pytorchRunTestDetector,
  // -- javascript / typescript, shell, infrastructure
  policyGateDetector,
  diffCheckDetector,
  preCommitDetector,
  dependabotDetector,
  officialActionsDetector,
  shellcheckDetector,
  yamllintDetector,
  bundlerDetector,
  nodeTestDetector,
  mochaDetector,
  jasmineDetector,
  vitestDetector,
  jsPackageManagersDetector,
  shellDetector,
  nodeDetector,
  infrastructureDetector,
  jestDetector,
  prettierDetector,
  eslintDetector,
  tscDetector,
  // -- go, rust, jvm, c/c++, .net, ruby, php, perl, swift, elixir/erlang, haskell
  goDetector,
  rustDetector,
  jvmDetector,
  gccDetector,
  sanitizerDetector,
  gtestDetector,
  msvcDetector,
  cmakeDetector,
  dotnetDetector,
  rubyDetector,
  phpDetector,
  perlDetector,
  swiftDetector,
  beamDetector,
  haskellDetector,
  rCheckDetector,
  sassDetector,
  markdownLintDetector,
  elispDetector,
  sharedLibraryDetector,
];
