/**
 * Downloads a job's log to a file. GET …/actions/jobs/{id}/logs answers 302 with a signed URL to
 * plain text; the body is streamed to disk and, when larger than maxBytes, only its last maxBytes
 * (cut at a line start) are kept, because a failure is reported at the end of a log. Memory use
 * stays at one stream chunk whatever the log size.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GitHubApiError, LogError, getErrorMessage } from '../errors.js';
import type { JobLog, Target } from '../model.js';
import { redactQuery, toGitHubApiError, type GitHubClient } from './client.js';
import type { FailedJob } from './jobs.js';

export interface DownloadOptions {
  /** Directory the log file is written to (it must exist). */
  dir: string;
  /** Keep at most this many bytes: the tail of the log. */
  maxBytes: number;
}

/** The repository the job belongs to. */
type LogOwner = Pick<Target, 'owner' | 'repo'>;

/** How far past the cut point to look for the next line start before cutting mid-line. */
const LINE_SEARCH_BYTES = 64 * 1024;

function fileNameFor(job: Pick<FailedJob, 'id' | 'name'>): string {
  const slug = job.name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `job-${job.id}${slug === '' ? '' : `-${slug}`}.log`;
}

/** Streams a web body into `file`; returns the number of bytes written. */
async function streamToFile(body: WebReadableStream<Uint8Array>, file: string): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(body), counter, createWriteStream(file));
  return bytes;
}

/** Where the kept tail starts: the first line start at or after `size - maxBytes`. */
async function tailStart(file: string, size: number, maxBytes: number): Promise<number> {
  const earliest = size - maxBytes;
  const handle = await open(file, 'r');
  try {
    // The byte before `earliest` tells whether `earliest` already starts a line.
    const from = Math.max(earliest - 1, 0);
    const buffer = Buffer.alloc(Math.min(LINE_SEARCH_BYTES, size - from));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (earliest === 0) return 0;
    return newline === -1 ? earliest : Math.max(from + newline + 1, earliest);
  } finally {
    await handle.close();
  }
}

/** Follows the logs endpoint's redirect and returns the plain-text body. */
async function openLogBody(client: GitHubClient, target: LogOwner, job: FailedJob): Promise<WebReadableStream<Uint8Array>> {
  const context = `downloading the log of job ${job.id} (${job.name})`;
  let location: string | undefined;
  try {
    const response = await client.octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
      owner: target.owner,
      repo: target.repo,
      job_id: job.id,
      // Manual: the redirect target is another host that must not get the token, and the body
      // must be streamed rather than buffered by Octokit.
      request: { redirect: 'manual', parseSuccessResponseBody: false },
    });
    const data: unknown = response.data;
    if ((response.status as number) === 200 && data instanceof ReadableStream) return data as WebReadableStream<Uint8Array>;
    if (data instanceof ReadableStream) await data.cancel();
    location = response.headers.location;
  } catch (error: unknown) {
    throw toGitHubApiError(error, client, context);
  }
  if (location === undefined) throw new GitHubApiError(`${context}: the logs endpoint answered without a Location to follow`);
  const target302 = new URL(location, client.apiUrl).toString();
  let blob: Response;
  try {
    blob = await client.fetchRedirectTarget(target302);
  } catch (error: unknown) {
    throw new GitHubApiError(`${context}: GET ${redactQuery(target302)} failed: ${getErrorMessage(error)}`, undefined, { cause: error });
  }
  if (blob.status !== 200 || blob.body === null) {
    await blob.body?.cancel();
    throw new GitHubApiError(
      `${context}: GET ${redactQuery(target302)} answered ${blob.status}; the signed log URL may have expired — re-run the autofixer`,
      blob.status,
    );
  }
  return blob.body as WebReadableStream<Uint8Array>;
}

/** What a JobLog says of its job, from the jobs API. */
function jobFields(job: FailedJob): Pick<JobLog, 'jobId' | 'jobName' | 'jobUrl' | 'failedStep'> {
  return {
    jobId: job.id,
    jobName: job.name,
    ...(job.htmlUrl ? { jobUrl: job.htmlUrl } : {}),
    ...(job.failedStep ? { failedStep: job.failedStep } : {}),
  };
}

/** The JobLog of a job whose log could not be had: `reason` says why; nothing to analyse. */
export function unavailableJobLog(job: FailedJob, reason: string): JobLog {
  return { ...jobFields(job), path: '', bytes: 0, truncated: false, unavailable: reason };
}

export async function downloadJobLog(client: GitHubClient, target: LogOwner, job: FailedJob, options: DownloadOptions): Promise<JobLog> {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) {
    throw new LogError(`max-log-bytes must be a positive whole number (got ${options.maxBytes})`);
  }
  const file = path.join(options.dir, fileNameFor(job));
  const partial = `${file}.part`;
  const body = await openLogBody(client, target, job);
  try {
    const received = await streamToFile(body, partial);
    let bytes = received;
    let truncated = false;
    if (received > options.maxBytes) {
      const start = await tailStart(partial, received, options.maxBytes);
      await pipeline(createReadStream(partial, { start }), createWriteStream(file));
      await rm(partial, { force: true });
      bytes = (await stat(file)).size;
      truncated = true;
      client.logger.info(`log of job ${job.name}: ${received} bytes, kept the last ${bytes} (max-log-bytes ${options.maxBytes})`);
    } else {
      await rename(partial, file);
    }
    return { ...jobFields(job), path: file, bytes, truncated };
  } catch (error: unknown) {
    await rm(partial, { force: true });
    if (error instanceof GitHubApiError || error instanceof LogError) throw error;
    throw new LogError(`could not save the log of job ${job.id} (${job.name}) to ${file}: ${getErrorMessage(error)}`, { cause: error });
  }
}
