/**
 * What the words of a log say about the kind of a failure, shared by the generic finder and the
 * ranking: what a step's command runs (a test runner, an installer, a compiler, a linter, a gate),
 * words that decide the kind whatever the command (`SyntaxError`, `command not found`), and words
 * that suggest it when nothing else does. Linear patterns only: they run on log text.
 */
import { categoryFromKeywords } from './detectors/github-error.js';
import type { Category } from './types.js';

// What a step's command says it runs. Checked in order; linear patterns.
const COMMAND_CATEGORIES: ReadonlyArray<{ pattern: RegExp; category: Category }> = [
  // Gates: link checkers, bundle-size budgets, binary-compatibility reports.
  {
    pattern:
      /\b(?:awesome_bot|markdown-link-check|linkchecker|html-?proofer|lychee|muffet|linkinator|check[-_]links?|size-limit|bundlesize|mimaReportBinaryIssues|japicmp|revapi)\b/i,
    category: 'other',
  },
  {
    pattern:
      /\b(?:pip3?|pipenv|poetry|bundle|bundler|composer|npm|yarn|pnpm|cabal|conda|mamba|luarocks|cpanm?|opam|gem|go get|cargo fetch|dep ensure|carthage|pod|apt(?:-get)?|brew|mix deps\.get|rebar3 get-deps|sbt update|raco pkg)\b.*\b(?:install|update|sync|ci|fetch|bootstrap|get|deps|i)\b|\bstack\b.*--only-dependencies|\binstall(?:-deps|_deps|[-_]dependencies)\b|\bpip install\b/i,
    category: 'dependency_resolution',
  },
  {
    pattern:
      /\b(?:lint|linters?|eslint|tslint|jshint|jscs|standard|flake8|pylint|pycodestyle|pep8|rubocop|hlint|phpcs|php-cs-fixer|stylelint|luacheck|shellcheck|yamllint|vint|checkstyle|scalastyle|scalafmt|credo|markdownlint|remark|prettier|black|gofmt|golint|go vet|rustfmt|clippy|perlcritic|lintr|clang-format|clang-tidy|cpplint|cppcheck|swiftlint|ktlint|detekt|pmd|spotbugs|bandit|semgrep|hadolint|ansible-lint|tflint|actionlint|buf lint|golangci-lint|staticcheck|codespell|proselint|mdl|check[-_]?(?:style|format)|format(?:ting)?[-_:]check|check\.exs|fmt\b)/i,
    category: 'lint_format',
  },
  { pattern: /\b(?:tsc|mypy|pyright|flow|phpstan|psalm|sorbet|srb tc|dialyzer|typecheck|type-check)\b/i, category: 'type_check' },
  {
    pattern:
      /\b(?:test|tests|spec|specs|rspec|prove|ctest|pytest|py\.test|nosetests|tox|jest|mocha|karma|ava|tap|phpunit|busted|minitest|testAll|test:compile|check|unittest|xcodebuild\b.*\btest|cargo test|go test|mix test|rebar3 (?:ct|eunit)|stack test|cabal test|dotnet test|sbt\b.*\btest|gradle\w*\b.*\b(?:test|check)|mvn\b.*\b(?:test|verify)|make\b.*\b(?:test|check)|ert|cask exec|runtests?|spec\.sh|test\.sh|run_tests?)\b/i,
    category: 'test_failure',
  },
  {
    pattern:
      /\b(?:make|cmake|ninja|gcc|g\+\+|clang\+*|cc|c\+\+|javac|scalac|kotlinc|sbt\b.*\bcompile|mvn\b.*\b(?:compile|package|install)|gradle\w*\b.*\b(?:build|assemble|compile)|cargo build|go build|rustc|ghc|stack build|cabal build|rebar3 compile|mix compile|erlc|elixirc|swift build|swiftc|xcodebuild|msbuild|dotnet build|latexmk|pdflatex|xelatex|lualatex|latex|scons|bazel build|meson|autoreconf|configure|build\.sh|setup\.py build|webpack|rollup|babel|coffee -c|sass|lessc|jekyll build|hugo|mkdocs build|sphinx-build)\b/i,
    category: 'compilation_error',
  },
];

export function categoryOfCommand(command: string): Category | undefined {
  for (const { pattern, category } of COMMAND_CATEGORIES) if (pattern.test(command)) return category;
  return undefined;
}

/** Words that name the kind of failure whatever the command (a syntax error in a test run is a syntax error). */
export const DECISIVE: ReadonlyArray<{ pattern: RegExp; category: Category }> = [
  {
    pattern:
      /\bSyntaxError\b|\bsyntax error\b|\bparse error\b|\bParseError\b|\bunexpected (?:token|end of (?:file|input)|keyword|identifier)\b/i,
    category: 'syntax_error',
  },
  {
    pattern:
      /\bcommand not found\b|\bNo module named\b|\bModuleNotFoundError\b|\bCannot find module\b|\bcannot load such file\b|\bCan't locate \S+\.pm\b|\bmodule .{1,80} (?:is not available|not found)\b|\bCould not find module\b|\bimport(?:ing)? .{1,80} failed\b|\bnot installed\b|\bcannot open shared object file\b/i,
    category: 'import_missing_module',
  },
  {
    pattern: /\bNo such file or directory\b|\bENOENT\b|\bfile not found\b|\bcannot open (?:file|source file)\b|\bdoes not exist\b/i,
    category: 'missing_file',
  },
  {
    pattern:
      /\b(?:Could not resolve host|Connection (?:refused|reset|timed out)|Failed to connect|Temporary failure in name resolution|Network is unreachable|ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|rate limit|429 Too Many|50[234] (?:Bad Gateway|Service Unavailable|Gateway Time-?out)|No output has been received|timed? ?out after|The job exceeded the maximum time)\b/i,
    category: 'network_infra_timeout',
  },
  {
    pattern:
      /\b(?:version conflict|unsatisfiable|could not resolve dependencies|no matching (?:version|distribution)|Could not find a version that satisfies|ResolutionImpossible|conflicting dependencies|requires .{1,80} but .{1,80} (?:is|was) (?:installed|resolved)|PackagesNotFoundError|UnsatisfiableError|ResolvePackageNotFound|not available from current channels|Solving environment: (?:.* )?failed)\b/i,
    category: 'dependency_resolution',
  },
  // Gates that fail a run by policy: bundle size budgets, binary compatibility reports, link checkers.
  {
    pattern:
      /\b(?:size limit has exceeded|Package size limit|exceeds? (?:the )?(?:size )?budget|Binary compatibility check failed|does not have a correspondent in (?:current|other) version|Issues :-\(|(?:dead|broken) links? (?:found|detected))/i,
    category: 'other',
  },
];

/** Words that say what kind of failure it is when the command does not. */
export function categoryOfWords(text: string): Category | undefined {
  if (
    /\b(?:assert|Assertion|expected .{0,120}(?:got|but|actual|to (?:be|equal))|FAIL:|failures?:|\d+ (?:tests?|examples?|specs?) failed|not ok \d|tests? failed|Failed tests?)/i.test(
      text,
    )
  )
    return 'test_failure';
  if (
    /\berror: .{0,200}\.(?:c|cc|cpp|cxx|h|hpp|rs|go|java|scala|kt|swift|cs|m|mm|hs|erl|ex|nim|zig)\b|\bundefined reference\b|\bld returned\b|\bcompil(?:e|ation|er) (?:error|failed)\b/i.test(
      text,
    )
  )
    return 'compilation_error';
  return categoryFromKeywords(text);
}
