import { main } from './cli.js';

// The CLI's entry point (bundled as dist/cli/index.js, started by dist/cli.js).
void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => {
  process.exitCode = code;
});
