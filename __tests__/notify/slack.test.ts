/**
 * Slack notifications against a local HTTP server standing in for the incoming webhook: the
 * payload's shape, links and escaping, Slack's limits on a large run, the `on:` filter, failed
 * sends (a warning, an error with notify-strict), and the webhook URL kept out of logs and report.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { createMemoryLogger } from '../../src/logging.js';
import type { RunReport } from '../../src/model.js';
import { renderNotificationSummary, runOutcomes, sendNotifications } from '../../src/notify/notify.js';
import { escapeSlack, fitSlackText, SLACK_LIMITS, type SlackBlock, type SlackMessage } from '../../src/notify/slack.js';
import { toJsonReport } from '../../src/report/json.js';
import { parseConfigText, parseSettings, type RawInputs, type Settings } from '../../src/settings.js';
import { largeReport, loadReport, runnerWouldReadACommand } from '../report/helpers.js';

interface Received {
  contentType: string | undefined;
  body: SlackMessage & Record<string, unknown>;
}

const WEBHOOK_PATH = '/services/T0000TEST/B0000TEST/s3cr3tW3bh00kT0k3n';
const HOSTILE = '<!channel> <https://evil|click> ::set-output name=x::y & <@U123>';
const workspace = mkdtempSync(path.join(os.tmpdir(), 'notify-slack-'));

let server: Server;
let baseUrl: string;
let received: Received[] = [];
let answerStatus = 200;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((text) => {
      if (request.method === 'POST' && request.url === WEBHOOK_PATH) {
        received.push({ contentType: request.headers['content-type'], body: JSON.parse(text) as Received['body'] });
      }
      response.writeHead(answerStatus, { 'content-type': 'text/plain' });
      response.end(answerStatus === 200 ? 'ok' : 'invalid_payload');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  answerStatus = 200;
});

function settingsFor(inputs: RawInputs, env: Record<string, string | undefined> = {}, configText?: string): Settings {
  return parseSettings(
    { 'github-token': 'ghs_test', ...inputs },
    {
      env: { SLACK_WEBHOOK_URL: `${baseUrl}${WEBHOOK_PATH}`, ...env },
      baseDirectory: workspace,
      eventName: 'workflow_run',
      eventPayload: {},
      repository: 'acme/widgets',
      ...(configText !== undefined ? { configFile: { raw: parseConfigText(configText), source: '.github/ci-autofixer.yml' } } : {}),
    },
  );
}

/** The basic report (2 verified fixes pushed in PR #57, 3 failures that need a human), with `errors`. */
function basicReport(overrides: Partial<RunReport> = {}): RunReport {
  return { ...loadReport('basic'), errors: [], ...overrides };
}

function withFailureMessage(report: RunReport, message: string): RunReport {
  const failures = report.failures.map((failure, index) => (index === 2 ? { ...failure, message } : failure));
  return { ...report, failures };
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block: SlackBlock) =>
    block.type === 'section' ? [block.text.text] : block.type === 'context' ? block.elements.map((e) => e.text) : [],
  );
}

async function send(report: RunReport, settings: Settings) {
  const logger = createMemoryLogger();
  const results = await sendNotifications(report, settings, { logger, timeoutMs: 5000 });
  return { results, logger };
}

describe('the Slack message', () => {
  it('posts Block Kit JSON: header, the run, what was fixed with the PR, one section per failure, what needs a human', async () => {
    const { results } = await send(basicReport(), settingsFor({ 'notify-slack-on': 'fixed,needs-human' }));
    expect(results).toEqual([{ notifier: 'slack', status: 'sent', outcomes: ['fixed', 'needs-human'] }]);
    expect(received).toHaveLength(1);
    const { body, contentType } = received[0]!;
    expect(contentType).toBe('application/json');
    expect(body.text).toBe('CI Autofixer: 2 failures fixed, 3 need a human in acme/widgets on feature/login');
    expect(body.unfurl_links).toBe(false);
    expect(body.blocks.map((block) => block.type)).toEqual([
      'header',
      'section', // the run
      'section', // fixed and verified, PR
      'divider',
      'section',
      'section',
      'section',
      'section',
      'section', // five failures
      'section', // needs a human
    ]);
    const [header, run, fixed] = body.blocks;
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'CI Autofixer: 2 failures fixed, 3 need a human in acme/widgets' },
    });
    const runText = (run as { text: { text: string } }).text.text;
    expect(runText).toContain('*Repository:* <https://github.com/acme/widgets|acme/widgets>');
    expect(runText).toContain('*Branch:* feature/login');
    expect(runText).toContain(
      '*Failed workflow:* <https://github.com/acme/widgets/actions/runs/123456789/attempts/2|CI (run 123456789, attempt 2)>',
    );
    const fixedText = (fixed as { text: { text: string } }).text.text;
    expect(fixedText).toContain('*Pull request:* <https://github.com/acme/widgets/pull/57|#57>');
    expect(fixedText).toMatch(/• black: /);
    const texts = sectionTexts(body);
    const sha = '3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
    expect(texts.join('\n')).toContain(`<https://github.com/acme/widgets/blob/${sha}/src/app/util.py#L14|src/app/util.py:14:22>`);
    expect(texts.some((text) => text.startsWith('*Needs a human* (3 failures'))).toBe(true);
  });

  it('links to the GHES server named by GITHUB_SERVER_URL', async () => {
    const report = basicReport({ target: { ...basicReport().target, runUrl: undefined } });
    await send(report, settingsFor({ 'notify-slack-on': 'fixed' }, { GITHUB_SERVER_URL: 'https://ghe.example.com' }));
    const texts = sectionTexts(received[0]!.body).join('\n');
    expect(texts).toContain('<https://ghe.example.com/acme/widgets/actions/runs/123456789/attempts/2|');
    expect(texts).toContain('<https://ghe.example.com/acme/widgets/blob/3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a/src/app/util.py#L14|');
  });

  it('escapes hostile log text: no mention, no link, no workflow command can form', async () => {
    const base = withFailureMessage(basicReport(), HOSTILE);
    const report = { ...base, target: { ...base.target, headBranch: '<!here>', workflowName: '<@U999> ::error::x' }, errors: [HOSTILE] };
    await send(report, settingsFor({ 'notify-slack-on': 'failed' }));
    const { body } = received[0]!;
    const all = [body.text, ...sectionTexts(body)].join('\n');
    expect(all).toContain('&lt;!channel&gt; &lt;https:\u200B//evil|click&gt; ::set-output name=x::y &amp; &lt;@\u200BU123&gt;');
    expect(all).not.toMatch(/<!channel>|<!here>|<@U|<https:\/\/evil/);
    // Every `<…>` left is one of our links to the GitHub server.
    for (const match of all.matchAll(/<([^>]*)>/g)) expect(match[1]).toMatch(/^https:\/\/github\.com\/acme\/widgets[^\s<>]*\|/);
    expect(runnerWouldReadACommand(all)).toBe(false);
  });

  it('neutralises a message that starts like a workflow command', () => {
    expect(escapeSlack('::add-mask::x ##[error]y')).toBe(`:\u200B:add-mask::x #\u200B#[error]y`);
    expect(runnerWouldReadACommand(escapeSlack('  ::set-output name=x::y'))).toBe(false);
  });
});

describe("Slack's limits", () => {
  it('a run with 200 failures: at most 50 blocks, sections of at most 3000 characters, a header of at most 150', async () => {
    const big = largeReport(200, 5000);
    const report: RunReport = {
      ...big,
      errors: Array.from({ length: 60 }, (_, i) => `error ${i}: ${'e<'.repeat(400)}`),
      target: { ...big.target, owner: 'a'.repeat(39), repo: 'r'.repeat(100) },
    };
    await send(report, settingsFor({}));
    const { body } = received[0]!;
    expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const text of sectionTexts(body)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const header = body.blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    const failureSections = sectionTexts(body).filter((text) => text.startsWith('*test\\_failure*') || text.startsWith('*test_failure*'));
    const more = sectionTexts(body).find((text) => text.startsWith('… and '));
    expect(more).toBe(`… and ${200 - failureSections.length} more failures (the job summary and the JSON report list them all)`);
    expect(failureSections.length).toBeGreaterThan(30);
    expect(sectionTexts(body).find((text) => text.startsWith('*Errors*'))).toMatch(/… and \d+ more$/);
  });

  it('keeps a section within 3000 characters when escaping multiplies a failure (a message of 500 &)', async () => {
    const base = basicReport();
    const failures = base.failures.map((failure) => ({
      ...failure,
      message: '&'.repeat(5000),
      tool: '<'.repeat(100),
      category: '>'.repeat(100) as never,
      job: '&'.repeat(200),
    }));
    await send({ ...base, failures, jobs: [] }, settingsFor({}));
    for (const text of sectionTexts(received[0]!.body)) {
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/); // no entity cut in half
    }
    // The limit was reached and held: the failure sections were cut.
    expect(sectionTexts(received[0]!.body).filter((text) => text.length > 2900 && text.endsWith('…')).length).toBeGreaterThan(0);
    expect(fitSlackText(`ab <https://x.example/${'a'.repeat(40)}|label>`, 20)).toBe('ab …');
  });
});

describe('which runs are notified (on:)', () => {
  const fixedOnly = (): RunReport => basicReport({ needsHuman: [] });
  const needsHumanOnly = (): RunReport => basicReport({ publication: { mode: 'none', skippedReason: 'dry run' } });
  const failedOnly = (): RunReport => basicReport({ needsHuman: [], publication: { mode: 'none' }, errors: ['push refused'] });

  it('defines the outcomes from the report', () => {
    expect(runOutcomes(fixedOnly())).toEqual(['fixed']);
    expect(runOutcomes(needsHumanOnly())).toEqual(['needs-human']);
    expect(runOutcomes(failedOnly())).toEqual(['failed']);
    // Verified but not pushed (a dry run) is not "fixed".
    expect(runOutcomes(basicReport({ needsHuman: [], dryRun: true, publication: { mode: 'none' } }))).toEqual([]);
  });

  it.each([
    ['fixed', [true, false, false]],
    ['needs-human', [false, true, false]],
    ['failed', [false, false, true]],
  ] as const)('on: [%s] sends only for that outcome', async (outcome, expected) => {
    const settings = settingsFor({ 'notify-slack-on': outcome });
    const sent: boolean[] = [];
    for (const report of [fixedOnly(), needsHumanOnly(), failedOnly()]) {
      const { results } = await send(report, settings);
      sent.push(results[0]?.status === 'sent');
      if (results[0]?.status !== 'sent') expect(results[0]).toMatchObject({ status: 'skipped', reason: `the run is none of: ${outcome}` });
    }
    expect(sent).toEqual(expected);
    expect(received).toHaveLength(1);
  });

  it('defaults to needs-human and failed when the webhook is set; off without it, or with none / on: []', async () => {
    expect(settingsFor({}).notify.slack.on).toEqual(['needs-human', 'failed']);
    expect(settingsFor({}, { SLACK_WEBHOOK_URL: undefined }).notify.slack.on).toEqual([]);
    expect(settingsFor({ 'notify-slack-on': 'none' }).notify.slack.on).toEqual([]);
    expect(settingsFor({}, {}, 'notify:\n  slack:\n    on: []\n').notify.slack.on).toEqual([]);
    expect(settingsFor({}, {}, 'notify:\n  slack:\n    on: [fixed]\nnotify-strict: true\n').notify).toMatchObject({
      strict: true,
      slack: { on: ['fixed'] },
    });
    const { results } = await send(fixedOnly(), settingsFor({ 'notify-slack-on': 'none' }));
    expect(results).toEqual([]);
    expect(received).toHaveLength(0);
  });

  it('rejects bad values with one line naming the field and what is allowed', () => {
    expect(() => settingsFor({ 'notify-slack-on': 'fixed,sometimes' })).toThrow(
      /^Input 'notify-slack-on' must be a comma- or newline-separated list of: fixed, needs-human, failed, or 'none'/,
    );
    expect(() => parseConfigText('notify:\n  slack:\n    on: [always]\n')).toThrow(
      new ConfigurationError(
        `.github/ci-autofixer.yml: 'notify.slack.on' must be a list of: fixed, needs-human, failed ([] turns it off) (got ["always"])`,
      ),
    );
    expect(() => parseConfigText('notify:\n  pager: {}\n')).toThrow("unknown notifier 'notify.pager'; allowed: slack");
    expect(() => parseConfigText('notify:\n  slack:\n    channel: x\n')).toThrow("'notify.slack' must be a mapping with the key 'on'");
  });
});

describe('a failed send', () => {
  async function closedPortUrl(): Promise<string> {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}${WEBHOOK_PATH}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    return url;
  }

  it('a server answering 500 is a warning, not a throw; with notify-strict an error of the run', async () => {
    answerStatus = 500;
    const report = basicReport();
    const { results, logger } = await send(report, settingsFor({}));
    expect(results[0]).toMatchObject({ status: 'failed', reason: 'Slack: the webhook answered HTTP 500: invalid_payload' });
    expect(logger.lines).toContain('warning: slack notification not sent: Slack: the webhook answered HTTP 500: invalid_payload');
    expect(report.errors).toEqual([]);
    expect(report.notifications).toEqual(results);
    expect(renderNotificationSummary(results)).toContain(':warning: slack notification not sent');

    const strictReport = basicReport();
    await send(strictReport, settingsFor({ 'notify-strict': 'true' }));
    expect(strictReport.errors).toEqual([
      'slack notification not sent: Slack: the webhook answered HTTP 500: invalid_payload (notify-strict)',
    ]);
  });

  it('a refused connection is a warning, and an error with notify-strict', async () => {
    const url = await closedPortUrl();
    const report = basicReport();
    const { results } = await send(report, settingsFor({}, { SLACK_WEBHOOK_URL: url }));
    expect(results[0]).toMatchObject({ status: 'failed', reason: 'Slack: the webhook could not be reached (ECONNREFUSED)' });
    expect(report.errors).toEqual([]);
    const strictReport = basicReport();
    await send(strictReport, settingsFor({ 'notify-strict': 'true' }, { SLACK_WEBHOOK_URL: url }));
    expect(strictReport.errors).toHaveLength(1);
  });

  it('refuses a webhook URL that is not https (http only to this machine), without showing it', async () => {
    const secret = 'http://hooks.example.com/services/T1/B1/plainHttpSecret';
    const report = basicReport();
    const { results, logger } = await send(report, settingsFor({}, { SLACK_WEBHOOK_URL: secret }));
    expect(results[0]?.reason).toBe(
      'SLACK_WEBHOOK_URL must be an https URL (http only for 127.0.0.1 or localhost); the value is a secret and is not shown',
    );
    expect(logger.lines.join('\n')).not.toContain('plainHttpSecret');
  });

  it('on: set without SLACK_WEBHOOK_URL is a warning that says how to pass it', async () => {
    const { results } = await send(basicReport(), settingsFor({ 'notify-slack-on': 'needs-human' }, { SLACK_WEBHOOK_URL: '' }));
    expect(results[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('SLACK_WEBHOOK_URL environment variable is not set'),
    });
  });
});

describe('the webhook URL is a secret', () => {
  it('appears in no log line, no result, no JSON report, whatever happened', async () => {
    const reports: RunReport[] = [];
    const lines: string[] = [];
    for (const status of [200, 500]) {
      answerStatus = status;
      const report = withFailureMessage(basicReport(), HOSTILE);
      const { logger } = await send(report, settingsFor({ 'notify-slack-on': 'fixed,needs-human,failed' }));
      reports.push(report);
      lines.push(...logger.lines);
    }
    const everything = [
      ...lines,
      ...reports.map((report) => toJsonReport(report)),
      ...reports.map((r) => renderNotificationSummary(r.notifications ?? [])),
    ].join('\n');
    expect(everything).not.toContain(WEBHOOK_PATH);
    expect(everything).not.toContain('s3cr3tW3bh00kT0k3n');
    expect(everything).not.toContain(baseUrl);
    expect(received).toHaveLength(2); // the 500 was received too
    expect(JSON.stringify(received[0]!.body)).not.toContain('s3cr3tW3bh00kT0k3n');
  });
});
