import { frameToTimecode, timecodeToFrame } from '../src/app/services/timecode';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

describe('comment timecodes agree with the web player: non-drop at 23.976/24/25, drop-frame at 29.97', () => {
  it('labels frames as the player does', () => {
    expect(frameToTimecode(1031, 24)).toBe('00:00:42:23');
    expect(frameToTimecode(100_000, 24000 / 1001)).toBe('01:09:26:16');
    expect(frameToTimecode(123_456, 25)).toBe('01:22:18:06');
    expect(frameToTimecode(1799, 30000 / 1001)).toBe('00:00:59;29');
    expect(frameToTimecode(1800, 30000 / 1001)).toBe('00:01:00;02');
    expect(frameToTimecode(17_982, 29.97)).toBe('00:10:00;00');
    expect(frameToTimecode(107_892, 29.97)).toBe('01:00:00;00');
    expect(frameToTimecode(3600, 59.94)).toBe('00:01:00;04');
    expect(frameToTimecode(1800, 30)).toBe('00:01:00:00');
  });
  it('reads them back, refusing labels drop-frame skips', () => {
    for (const fps of [24000 / 1001, 24, 25, 30000 / 1001]) {
      for (let f = 0; f < 40_000; f += 7) expect(timecodeToFrame(frameToTimecode(f, fps), fps)).toBe(f);
    }
    expect(timecodeToFrame('00:01:00;02', 29.97)).toBe(1800);
    expect(timecodeToFrame('00:01:00;00', 29.97)).toBeNull();
    expect(timecodeToFrame('00:10:00;00', 29.97)).toBe(17_982);
    expect(timecodeToFrame('00:00:00:25', 25)).toBeNull();
  });

  describe('over HTTP', () => {
    let h: Harness;
    let a: Session;
    beforeAll(async () => {
      h = await startHarness();
      a = await givenStudio(h);
    });
    afterAll(async () => h.close());

    it('stores the drop-frame timecode of a 29.97 comment and refuses a skipped label', async () => {
      const assetId = (await h.http.post('/assets').set(a.auth).send({ name: 'Shot 050', type: 'SHOT' }).expect(201)).body.id;
      const byFrame = await h.http.post(`/assets/${assetId}/comments`).set(a.auth).send({ body: 'x', frame: 1800, fps: 29.97 }).expect(201);
      expect(byFrame.body).toMatchObject({ frame: 1800, timecode: '00:01:00;02' });
      const byTc = await h.http.post(`/assets/${assetId}/comments`).set(a.auth).send({ body: 'y', timecode: '00:10:00;00', fps: 29.97 }).expect(201);
      expect(byTc.body).toMatchObject({ frame: 17_982, timecode: '00:10:00;00' });
      const skipped = await h.http.post(`/assets/${assetId}/comments`).set(a.auth).send({ body: 'z', timecode: '00:01:00;00', fps: 29.97 }).expect(400);
      expect(skipped.body.error.details).toEqual([{ path: 'timecode', message: 'not a valid HH:MM:SS:FF timecode at 29.97 fps' }]);
    });
  });
});
