// A stand-in engine for queue-mechanics tests and benchmarks only: waits per frame and writes a tiny
// real PNG, so everything downstream (storage, previews) runs for real.
import path from 'node:path';
import sharp from 'sharp';
import { RenderEngineError } from './BlenderEngine';
import type { RenderEngine, RenderedFrame, RenderRequest } from './RenderEngine';

export class SimulatedEngine implements RenderEngine {
  readonly name = 'simulated' as const;

  constructor(private readonly options: { msPerFrame?: number; failOnFrame?: number; permanentFailure?: boolean } = {}) {}

  async available(): Promise<boolean> {
    return true;
  }

  async render(req: RenderRequest): Promise<RenderedFrame[]> {
    const frames: RenderedFrame[] = [];
    const total = req.frameEnd - req.frameStart + 1;
    for (let frame = req.frameStart; frame <= req.frameEnd; frame++) {
      if (req.signal?.aborted) throw new RenderEngineError('RENDER_CANCELLED', 'The render was cancelled', { permanent: true });
      if (this.options.failOnFrame === frame) throw new RenderEngineError('RENDER_FAILED', `Simulated failure on frame ${frame}`, { permanent: this.options.permanentFailure ?? false });
      await new Promise((r) => setTimeout(r, this.options.msPerFrame ?? 5));
      const file = path.join(req.outputDir, `frame_${String(frame).padStart(5, '0')}.png`);
      const shade = (frame * 37) % 256;
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: shade, g: 64, b: 255 - shade } } }).png().toFile(file);
      frames.push({ frame, path: file });
      req.onProgress?.({ frame, framesDone: frames.length, framesTotal: total, percent: (frames.length / total) * 100 });
    }
    return frames;
  }
}
