// Editorial files as the tools studios use write them, at the import's shot cap, and the hostile files of
// the security review: shared by the editorial tests and bench:parsers, so the byte caps are set from (and
// checked against) the same largest legitimate files.

const NTSC = 24000 / 1001;

/** Sequences of 100 shots, named as the import reads them from a clip's name: SQ0420_SH0310. */
export function shotCode(i: number): { sequence: string; code: string } {
  const sequence = `SQ${String(Math.floor(i / 100) * 10).padStart(4, '0')}`;
  return { sequence, code: `${sequence}_SH${String((i % 100) * 10 + 10).padStart(4, '0')}` };
}

/** A description of the length editors write in a turnover sheet (DESCRIPTION_CHARS), with a comma and a quote. */
export const DESCRIPTION_CHARS = 400;
function description(i: number): string {
  const base = `Shot ${i}: wide on the harbour, "hero" boat enters frame left, matte painting extension, crowd replacement, `;
  return base.repeat(Math.ceil(DESCRIPTION_CHARS / base.length)).slice(0, DESCRIPTION_CHARS);
}

/** A CSV of `shots` rows with every column the import reads: codes, source and record ranges, rate and a description. */
export function legitimateCsv(shots: number): string {
  const lines = ['sequence,shot,frame_in,frame_out,record_in,record_out,fps,description'];
  for (let i = 0; i < shots; i++) {
    const { sequence, code } = shotCode(i);
    const length = 48 + (i % 200);
    lines.push(`${sequence},${code},1001,${1000 + length},${86400 + i * 250},${86400 + i * 250 + length - 1},24000/1001,"${description(i).replaceAll('"', '""')}"`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** HH:MM:SS:FF at a whole-number timecode rate. */
function tc(frames: number, base = 24): string {
  const ff = frames % base;
  const s = Math.floor(frames / base);
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60, ff].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * A CMX 3600 EDL of `shots` video events as an editor's turnover writes it: each event with its clip name,
 * source file and a locator, and two audio events beside it (the import reads only the video).
 */
export function legitimateEdl(shots: number): string {
  const out = ['TITLE: REEL 1 VFX TURNOVER', 'FCM: NON-DROP FRAME', ''];
  let event = 1;
  for (let i = 0; i < shots; i++) {
    const { code } = shotCode(i);
    const length = 48 + (i % 200);
    const src = 86400 + 1001 + (i % 500) * 300;
    const rec = 86400 + i * 250;
    const times = `${tc(src)} ${tc(src + length)} ${tc(rec)} ${tc(rec + length)}`;
    const reel = `A${String(i % 999).padStart(3, '0')}C${String(i % 99).padStart(3, '0')}`;
    out.push(`${String(event++).padStart(6, '0')}  ${reel.padEnd(32)} V     C        ${times}`);
    out.push(`* FROM CLIP NAME: ${code}.mov`);
    out.push(`* LOC: ${tc(rec + 12)} YELLOW  ${code}`);
    out.push(`* SOURCE FILE: ${reel}_220914_R2AB.mov`);
    for (const track of ['A', 'A2']) out.push(`${String(event++).padStart(6, '0')}  ${reel.padEnd(32)} ${track.padEnd(5)} C        ${times}`);
    out.push('');
  }
  return `${out.join('\r\n')}\r\n`;
}

const rt = (value: number, rate = NTSC) => ({ OTIO_SCHEMA: 'RationalTime.1', rate, value });
const range = (start: number, duration: number, rate = NTSC) => ({ OTIO_SCHEMA: 'TimeRange.1', duration: rt(duration, rate), start_time: rt(start, rate) });

/**
 * An OpenTimelineIO timeline of `shots` clips on one video track, as OpenTimelineIO's own writer saves it
 * (indent 4, every field of Clip.2 with an ExternalReference and its available range), a gap before each
 * sequence. The import reads only the first video track, so audio tracks are left out (see docs/performance.md).
 */
export function legitimateOtio(shots: number): string {
  const children: unknown[] = [];
  let sequence = '';
  for (let i = 0; i < shots; i++) {
    const { sequence: seq, code } = shotCode(i);
    if (seq !== sequence) {
      children.push({ OTIO_SCHEMA: 'Gap.1', metadata: {}, name: '', source_range: range(0, 24), effects: [], markers: [], enabled: true });
      sequence = seq;
    }
    const length = 48 + (i % 200);
    children.push({
      OTIO_SCHEMA: 'Clip.2',
      metadata: { studio: { description: description(i).slice(0, 120) } },
      name: code,
      source_range: range(1001, length),
      effects: [],
      markers: [],
      enabled: true,
      media_references: {
        DEFAULT_MEDIA: {
          OTIO_SCHEMA: 'ExternalReference.1',
          metadata: {},
          name: `${code}_plate_v001.mov`,
          available_range: range(1001 - 8, length + 16),
          available_image_bounds: null,
          target_url: `file:///mnt/projects/show/editorial/plates/${seq}/${code}/${code}_plate_v001.mov`,
        },
      },
      active_media_reference_key: 'DEFAULT_MEDIA',
    });
  }
  const doc = {
    OTIO_SCHEMA: 'Timeline.1',
    metadata: {},
    name: 'Reel 1 VFX turnover',
    global_start_time: rt(86400),
    tracks: { OTIO_SCHEMA: 'Stack.1', metadata: {}, name: 'tracks', source_range: null, effects: [], markers: [], enabled: true, children: [{ OTIO_SCHEMA: 'Track.1', metadata: {}, name: 'V1', source_range: null, effects: [], markers: [], enabled: true, children, kind: 'Video' }] },
  };
  return JSON.stringify(doc, null, 4);
}

/** The review's reproduction of finding 14: tracks nested `depth` deep around one clip (about 1 MB at 20,000). */
export function nestedOtio(depth: number): string {
  const open = '{"OTIO_SCHEMA":"Track.1","kind":"Video","name":"","children":['.repeat(depth);
  const clip = `{"OTIO_SCHEMA":"Clip.2","name":"SQ010_SH0010","source_range":${JSON.stringify(range(1001, 24))}}`;
  const close = ']}'.repeat(depth);
  return `{"OTIO_SCHEMA":"Timeline.1","name":"deep","tracks":{"OTIO_SCHEMA":"Stack.1","children":[${open}${clip}${close}]}}`;
}

/** The review's reproduction of finding 3: a header, then `a\n` lines up to `bytes`. */
export function aLinesCsv(bytes: number, header = 'sequence,shot,frame_in,frame_out\n'): string {
  return header + 'a\n'.repeat(Math.floor((bytes - header.length) / 2));
}
