// The contract every render engine meets: render a frame range of a scene into PNG files, reporting progress.
export interface RenderProgress {
  frame: number;
  sample?: number;
  samples?: number;
  framesDone: number;
  framesTotal: number;
  /** 0-100 over the whole request. */
  percent: number;
}

export interface RenderRequest {
  scenePath: string;
  frameStart: number;
  frameEnd: number;
  outputDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (p: RenderProgress) => void;
}

export interface RenderedFrame {
  frame: number;
  path: string;
}

export interface RenderEngine {
  readonly name: 'blender' | 'simulated';
  available(): Promise<boolean>;
  render(req: RenderRequest): Promise<RenderedFrame[]>;
}
