/**
 * Every detector, listed explicitly. docs/detectors.md is generated from this list and a test
 * fails when a detector file is not registered or not documented. Keep each family's block
 * together; order inside a block does not matter (ranking is done by classify.ts).
 */
import type { Detector } from './types.js';

// -- generic (engine)

// -- python

// -- javascript / typescript, shell, infrastructure

// -- go, rust, jvm, c/c++, .net, ruby, php, swift, elixir/erlang, haskell

export const DETECTORS: readonly Detector[] = [
  // -- generic (engine)
  // -- python
  // -- javascript / typescript, shell, infrastructure
  // -- go, rust, jvm, c/c++, .net, ruby, php, swift, elixir/erlang, haskell
];
