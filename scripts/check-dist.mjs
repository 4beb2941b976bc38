// Fails when dist/ differs from a fresh `npm run build`: dist/ is committed and must match the source.
import { execFileSync } from 'node:child_process';

const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
run('npm', ['run', '--silent', 'build']);
const changed = run('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist']).trim();
if (changed !== '') {
  process.stderr.write(`dist/ is stale: it differs from a fresh build of src/. Run \`npm run build\` and commit dist/.\n${changed}\n`);
  process.stderr.write(run('git', ['diff', '--stat', '--', 'dist']));
  process.exit(1);
}
process.stdout.write('dist/ matches a fresh build.\n');
