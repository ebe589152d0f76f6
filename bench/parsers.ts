// bench:parsers — the editorial parsers' budget (issue 27, findings 3 and 14): the worst CSV, EDL and OTIO
// inputs at their byte caps, and the largest legitimate file of each at the 10,000-shot cap, are POSTed as
// dry runs to one API process, one after another, while another process probes /health. The baseline, in
// the same run: the API idle. Prints one JSON line: per input its size, the answer, the time, the API's
// longest event-loop delay (prom-client), the slowest /health answer, the CPU time of the API's longest
// synchronous task (from a CPU profile; BENCH_PROFILE=0 skips it) and the RSS growth; the worst of each over
// all inputs against the 50 ms target. BENCH_REPEAT runs each input that many times (default 1; the
// review's CSV always runs 4 times back to back, as the review sent it).
import { legitimateCsv, legitimateEdl, legitimateOtio, nestedOtio, aLinesCsv } from '../tests/support/cuts';
import { EDITORIAL_MAX_BYTES, MAX_SHOTS, OTIO_MAX_ITEMS } from '../src/app/services/editorial';
import { EDL_MAX_LINES } from '../src/app/services/editorial.edl';
import { json, mailDirOf, round, sampleRss, startApi, startServices, MiB } from './lib/harness';
import { whileProbing } from './lib/health';
import { heaviest, longestTasks, profileArgs, type Task } from './lib/cpuprofile';
import { registerThroughInbox } from '../scripts/dev-register';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 1);
const TARGET_MS = 50;
const PROFILE = process.env.BENCH_PROFILE !== '0';
const dbg = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench:parsers] ${m}\n`);

/** Text of `unit` repeated to exactly `bytes` (ASCII units). */
const fill = (head: string, unit: string, bytes: number) => head + unit.repeat(Math.floor((bytes - head.length) / unit.length));

interface Input {
  name: string;
  format: 'csv' | 'edl' | 'otio';
  type: string;
  /** Times sent back to back under one probe. */
  times?: number;
  make(): string;
}

const CSV_HEADER = 'sequence,shot,frame_in,frame_out\n';
const EVENT = (n: number) => `${String(n).padStart(6, '0')}  REEL  V  C  01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n`;

const INPUTS: Input[] = [
  { name: 'csv: the review\'s 8 MiB of "a" lines, 4 back to back', format: 'csv', type: 'text/csv', times: 4, make: () => aLinesCsv(8 * MiB) },
  { name: 'csv: one quoted field to the byte cap (never closed)', format: 'csv', type: 'text/csv', make: () => fill(`${CSV_HEADER}"`, 'x', EDITORIAL_MAX_BYTES.csv) },
  { name: 'csv: rows of 1,000 empty fields to the byte cap', format: 'csv', type: 'text/csv', make: () => fill(CSV_HEADER, `${','.repeat(1000)}\n`, EDITORIAL_MAX_BYTES.csv) },
  { name: 'csv: rows of quoted 5,000-character fields to the byte cap', format: 'csv', type: 'text/csv', make: () => fill(CSV_HEADER, `SQ,SH,1,2,"${'""'.repeat(2500)}"\n`, EDITORIAL_MAX_BYTES.csv) },
  { name: `csv: the largest legitimate file (${MAX_SHOTS.toLocaleString('en-US')} shots)`, format: 'csv', type: 'text/csv', make: () => legitimateCsv(MAX_SHOTS) },
  { name: `edl: blank lines to the line cap (${EDL_MAX_LINES.toLocaleString('en-US')}) and on to the byte cap`, format: 'edl', type: 'text/plain', make: () => fill('TITLE: blank\n', '\n', EDITORIAL_MAX_BYTES.edl) },
  { name: 'edl: lines past the line-length cap to the byte cap', format: 'edl', type: 'text/plain', make: () => fill('TITLE: long\n', `* ${'x'.repeat(6000)}\n`, EDITORIAL_MAX_BYTES.edl) },
  { name: 'edl: events with impossible timecodes to the line cap', format: 'edl', type: 'text/plain', make: () => Array.from({ length: EDL_MAX_LINES + 1 }, (_, i) => EVENT(i + 1).replaceAll('01:00:01:00', '01:00:01:99')).join('') },
  { name: `edl: ${(MAX_SHOTS + 1).toLocaleString('en-US')} cuts without clip names (the shot cap)`, format: 'edl', type: 'text/plain', make: () => Array.from({ length: MAX_SHOTS + 1 }, (_, i) => `${EVENT(i + 1).replace('REEL', `SQ1_SH${i}`)}`).join('') },
  { name: `edl: the largest legitimate file (${MAX_SHOTS.toLocaleString('en-US')} shots)`, format: 'edl', type: 'text/plain', make: () => legitimateEdl(MAX_SHOTS) },
  { name: 'otio: the review\'s 20,000 nested tracks', format: 'otio', type: 'application/vnd.opentimelineio+json', make: () => nestedOtio(20_000) },
  { name: `otio: ${(OTIO_MAX_ITEMS + 1).toLocaleString('en-US')} gaps (the item cap)`, format: 'otio', type: 'application/vnd.opentimelineio+json', make: () => `{"OTIO_SCHEMA":"Timeline.1","tracks":{"OTIO_SCHEMA":"Stack.1","children":[{"OTIO_SCHEMA":"Track.1","kind":"Video","children":[${Array.from({ length: OTIO_MAX_ITEMS + 1 }, () => '{"OTIO_SCHEMA":"Gap.1","source_range":{"OTIO_SCHEMA":"TimeRange.1","start_time":{"OTIO_SCHEMA":"RationalTime.1","rate":24,"value":0},"duration":{"OTIO_SCHEMA":"RationalTime.1","rate":24,"value":1}}}').join(',')}]}]}}` },
  { name: 'otio: empty objects to the byte cap (the most JSON.parse work per byte)', format: 'otio', type: 'application/vnd.opentimelineio+json', make: () => `{"OTIO_SCHEMA":"Timeline.1","x":[${fill('', '{},', EDITORIAL_MAX_BYTES.otio - 64)}{}]}` },
  { name: 'otio: 16-digit numbers to the byte cap', format: 'otio', type: 'application/vnd.opentimelineio+json', make: () => `{"OTIO_SCHEMA":"Timeline.1","x":[${fill('', '0.1234567890123456,', EDITORIAL_MAX_BYTES.otio - 64)}0]}` },
  { name: `otio: the largest legitimate file (${MAX_SHOTS.toLocaleString('en-US')} clips, indented)`, format: 'otio', type: 'application/vnd.opentimelineio+json', make: () => legitimateOtio(MAX_SHOTS) },
];

async function main() {
  const services = await startServices();
  const profile = PROFILE ? profileArgs() : undefined;
  const api = await startApi(services, {}, profile?.args);
  const windows: Array<{ start: bigint; end: bigint }> = [];
  let output: Record<string, unknown> | undefined;
  try {
    const reg = await registerThroughInbox(api.url, mailDirOf(api.url), { studioName: `Parsers Bench ${Date.now()}`, name: 'Producer', email: `parsers-${Date.now()}@bench.test`, password: 'benchmark password 1' });
    const token = reg.accessToken;
    const project: { id: string } = await json(`${api.url}/projects`, 'POST', { name: 'Parsers bench', code: 'PB', fps: { num: 24000, den: 1001 } }, token);
    const post = async (input: Input, body: Buffer) => {
      const res = await fetch(`${api.url}/projects/${project.id}/editorial/import?format=${input.format}&dryRun=true`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': input.type }, body });
      const text = await res.text();
      const parsed = JSON.parse(text) as { error?: { code: string }; shots?: { new: unknown[] } };
      return { status: res.status, answer: parsed.error?.code ?? `${parsed.shots?.new.length ?? 0} new shots` };
    };

    // Warm the parse thread and the readers' code paths, so the first input does not pay for them.
    await post(INPUTS.at(-1)!, Buffer.from(legitimateOtio(10)));
    await post(INPUTS[4]!, Buffer.from(legitimateCsv(10)));

    let start = process.hrtime.bigint();
    const { health: idle, eventLoopMaxMs: idleLoopMs } = await whileProbing(api.url, () => new Promise((r) => setTimeout(r, 3000)));
    windows.push({ start, end: process.hrtime.bigint() });

    const results: Array<Record<string, unknown> & { eventLoopMaxMs: number; healthMaxMs: number }> = [];
    for (const input of INPUTS) {
      const body = Buffer.from(input.make());
      for (let r = 0; r < REPEAT; r++) {
        const rss = sampleRss(api.pid);
        start = process.hrtime.bigint();
        const { result, seconds, health, eventLoopMaxMs } = await whileProbing(api.url, async () => {
          const answers = [];
          for (let i = 0; i < (input.times ?? 1); i++) answers.push(await post(input, body));
          return answers;
        });
        windows.push({ start, end: process.hrtime.bigint() });
        const row = {
          input: input.name,
          bytes: body.length,
          answers: [...new Set(result.map((a) => `${a.status} ${a.answer}`))],
          seconds: round(seconds, 3),
          eventLoopMaxMs,
          healthMaxMs: health.maxMs,
          healthP99Ms: health.p99Ms,
          healthAnswered: health.answered,
          rssGrowthMiB: round(rss.stop() / MiB, 1),
        };
        results.push(row);
        dbg(JSON.stringify(row));
      }
    }
    const worstLoop = Math.max(...results.map((r) => r.eventLoopMaxMs));
    const worstHealth = Math.max(...results.map((r) => r.healthMaxMs));
    output = {
      bench: 'parsers',
      caps: { bytes: EDITORIAL_MAX_BYTES, shots: MAX_SHOTS, otioItems: OTIO_MAX_ITEMS, edlLines: EDL_MAX_LINES },
      idleBaseline: { eventLoopMaxMs: idleLoopMs, healthMaxMs: idle.maxMs, healthP99Ms: idle.p99Ms, answered: idle.answered },
      worst: { eventLoopMaxMs: worstLoop, healthMaxMs: worstHealth },
      ratios: { worstLoopDelayToIdle: round(worstLoop / idleLoopMs, 1) },
      target: { ms: TARGET_MS, eventLoopMet: worstLoop <= TARGET_MS },
      inputs: results,
    };
  } finally {
    await api.stop();
    await services.stop();
  }
  if (output && profile) {
    // Written by the API as it exits: windows[0] is the idle baseline, then one per input run.
    const tasks = longestTasks(profile.dir, windows);
    const inputs = output.inputs as Array<Record<string, unknown>>;
    inputs.forEach((r, i) => (r.longestTask = tasks[i + 1]));
    const worstTask = heaviest(inputs.map((r) => r.longestTask as Task | null));
    output.worst = { ...(output.worst as object), longestTaskCpuMs: worstTask?.cpuMs ?? null, longestTaskWhere: worstTask?.where, idleLongestTaskCpuMs: tasks[0]?.cpuMs ?? null };
    output.target = { ...(output.target as object), longestTaskMet: (worstTask?.cpuMs ?? 0) <= TARGET_MS };
  }
  if (output) process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:parsers failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
