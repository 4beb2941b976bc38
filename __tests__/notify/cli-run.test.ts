/**
 * `ci-autofixer run --notify-slack-on …` in-process against the GitHub stand-in, with a local
 * server standing in for the Slack webhook: the message is posted once, after the work, and the
 * JSON report records it without the webhook URL.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScenario, type Scenario } from '../../standin/scenario.js';
import { cli } from '../monitor/helpers.js';

const WEBHOOK_PATH = '/services/T1/B1/cliWebhookSecret0123';
let scenario: Scenario;
let server: Server;
let webhookUrl: string;
const posts: { blocks: { type: string }[]; text: string }[] = [];

beforeAll(async () => {
  scenario = await createScenario();
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === WEBHOOK_PATH) posts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof posts)[number]);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await scenario.close();
});

function runArgs(...extra: string[]): string[] {
  const s = scenario;
  return [
    'run',
    '--repo',
    `${s.owner}/${s.repo}`,
    '--run-id',
    String(s.runId),
    '--workspace',
    s.workspace,
    '--api-url',
    s.github.url,
    '--dry-run',
    ...extra,
  ];
}

describe('ci-autofixer run --notify-slack-on', () => {
  it('posts one Block Kit message after the run and records it in the JSON report', async () => {
    const report = path.join(scenario.dir, 'notify-report.json');
    const result = await cli(scenario, runArgs('--notify-slack-on', 'needs-human,failed', '--report', report), {
      env: { SLACK_WEBHOOK_URL: webhookUrl, GITHUB_TOKEN: scenario.token },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.blocks[0]!.type).toBe('header');
    expect(posts[0]!.text).toContain(`${scenario.owner}/${scenario.repo}`);
    const json = await readFile(report, 'utf8');
    expect(JSON.parse(json).notifications).toEqual([{ notifier: 'slack', status: 'sent', outcomes: ['needs-human'] }]);
    expect(json + result.stderr + result.stdout).not.toContain('cliWebhookSecret0123');
  }, 120_000);

  it('sends nothing without the flag, even with SLACK_WEBHOOK_URL in the environment', async () => {
    const before = posts.length;
    const result = await cli(scenario, runArgs(), { env: { SLACK_WEBHOOK_URL: webhookUrl, GITHUB_TOKEN: scenario.token } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(posts).toHaveLength(before);
  }, 120_000);
});
