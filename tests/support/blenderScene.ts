// Builds tiny Blender scenes at test time with Blender itself (never committed): a cube moving
// across `frames` frames, Cycles on the CPU with few samples and no denoising.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs one of the scripts below in a headless, factory-settings Blender with its arguments after `--`. */
async function build(script: string, args: string[], what: string): Promise<void> {
  await run('blender', ['-b', '--factory-startup', '-noaudio', '--python-expr', script, '--', ...args], { timeout: 120_000 }).catch((err: Error) => {
    throw new Error(`Blender could not build ${what} (is Debian's blender installed? .ci/run installs it): ${err.message}`);
  });
}

const SCRIPT = `
import bpy, sys
argv = sys.argv[sys.argv.index('--') + 1:]
out, frames, size, samples = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene
scene.render.engine = 'CYCLES'
scene.cycles.device = 'CPU'
scene.cycles.samples = samples
scene.cycles.use_denoising = False
scene.render.resolution_x = size
scene.render.resolution_y = size
scene.render.resolution_percentage = 100
scene.frame_start = 1
scene.frame_end = frames
bpy.ops.mesh.primitive_cube_add(location=(-1, 0, 0))
cube = bpy.context.active_object
cube.keyframe_insert(data_path='location', frame=1)
cube.location = (1, 0, 0)
cube.keyframe_insert(data_path='location', frame=frames)
bpy.ops.object.camera_add(location=(0, -6, 2), rotation=(1.3, 0, 0))
scene.camera = bpy.context.active_object
bpy.ops.object.light_add(type='SUN', location=(0, 0, 5))
bpy.ops.wm.save_as_mainfile(filepath=out)
`;

export async function makeBlenderScene(file: string, o: { frames?: number; size?: number; samples?: number } = {}): Promise<string> {
  await build(SCRIPT, [file, String(o.frames ?? 4), String(o.size ?? 64), String(o.samples ?? 4)], 'the test scene');
  return file;
}

export function makeCorruptBlend(file: string): string {
  writeFileSync(file, Buffer.concat([Buffer.from('BLENDER-v304'), randomBytes(2000)]));
  return file;
}

/** The start of a one-frame scene script: empty factory scene, Cycles on the CPU at 1 sample, `size`² pixels. */
const oneFrameScene = (size: number) => `
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = 'CYCLES'
s.cycles.device = 'CPU'
s.cycles.samples = 1
s.cycles.use_denoising = False
s.render.resolution_x = ${size}
s.render.resolution_y = ${size}
s.render.resolution_percentage = 100
s.frame_start = 1
s.frame_end = 1
`;

const HOSTILE_SCRIPT = `
import bpy, sys
argv = sys.argv[sys.argv.index('--') + 1:]
out, suffix, node_path = argv[0], argv[1], argv[2]
${oneFrameScene(8)}bpy.ops.object.camera_add(location=(0, -6, 2), rotation=(1.3, 0, 0))
s.camera = bpy.context.active_object
# Stereo views whose file suffix the scene chooses: a forged "Saved:" line, or a path out of the output folder.
s.render.use_multiview = True
s.render.views_format = 'STEREO_3D'
s.render.image_settings.views_format = 'INDIVIDUAL'
s.render.views['right'].file_suffix = suffix
# A compositor File Output node writing wherever the scene says.
s.use_nodes = True
tree = s.node_tree
node = tree.nodes.new('CompositorNodeOutputFile')
node.base_path = node_path
tree.links.new(tree.nodes['Render Layers'].outputs['Image'], node.inputs[0])
bpy.ops.wm.save_as_mainfile(filepath=out)
`;

/**
 * A scene that tries to make the renderer read or write files of its choosing: a stereo view whose file
 * suffix carries `suffix` (a forged "Saved: '<path>'" line, or `../` segments) and a File Output node to `nodePath`.
 */
export async function makeHostileBlend(file: string, o: { suffix: string; nodePath: string }): Promise<string> {
  await build(HOSTILE_SCRIPT, [file, o.suffix, o.nodePath], 'the hostile scene');
  return file;
}

const TEXTURED_SCRIPT = `
import bpy, sys
argv = sys.argv[sys.argv.index('--') + 1:]
out, source, filepath, pack = argv[0], argv[1], argv[2], argv[3] == 'pack'
${oneFrameScene(16)}s.view_settings.view_transform = 'Standard'
bpy.ops.mesh.primitive_plane_add(size=4)
plane = bpy.context.active_object
if pack:
    img = bpy.data.images.load(filepath, check_existing=False)
    img.pack()
else:
    # Made, not loaded: the file may not exist on this machine (the render must answer the same either way).
    img = bpy.data.images.new('texture', 4, 4)
    img.source = source
    img.filepath = filepath
img.name = 'texture'
mat = bpy.data.materials.new('textured')
mat.use_nodes = True
nodes, links = mat.node_tree.nodes, mat.node_tree.links
nodes.remove(nodes['Principled BSDF'])
tex = nodes.new('ShaderNodeTexImage')
tex.image = img
if source == 'MOVIE':
    tex.image_user.frame_duration = 1
emit = nodes.new('ShaderNodeEmission')
links.new(tex.outputs['Color'], emit.inputs['Color'])
links.new(emit.outputs[0], nodes['Material Output'].inputs['Surface'])
plane.data.materials.append(mat)
bpy.ops.object.camera_add(location=(0, 0, 3))
s.camera = bpy.context.active_object
# relative_remap=False: the path stays exactly as written (an absolute path of the worker's disk).
bpy.ops.wm.save_as_mainfile(filepath=out, relative_remap=False)
`;

/**
 * A one-frame 16x16 scene filled by one image texture: a file the scene names (`source` FILE for a still,
 * MOVIE for a movie texture) that need not exist when the scene is made, or (pack) the image at `filepath`
 * packed into the .blend. Rendered with the Standard view, a texel's colour comes out unchanged.
 */
export async function makeTexturedScene(file: string, o: { filepath: string; source?: 'FILE' | 'MOVIE'; pack?: boolean }): Promise<string> {
  await build(TEXTURED_SCRIPT, [file, o.source ?? 'FILE', o.filepath, o.pack ? 'pack' : 'reference'], 'the textured scene');
  return file;
}

const STRIP_SCRIPT = `
import bpy, sys
argv = sys.argv[sys.argv.index('--') + 1:]
out, filepath = argv[0], argv[1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.resolution_x = 16
s.render.resolution_y = 16
s.render.resolution_percentage = 100
s.frame_start = 1
s.frame_end = 1
# The sequencer renders its strips straight into the frame (use_sequencer is on by default).
s.sequence_editor_create().sequences.new_image('strip', filepath, 1, 1)
bpy.ops.wm.save_as_mainfile(filepath=out, relative_remap=False)
`;

/** A one-frame scene whose video sequencer shows the image at `filepath` (which need not exist). */
export async function makeStripScene(file: string, filepath: string): Promise<string> {
  await build(STRIP_SCRIPT, [file, filepath], 'the sequencer scene');
  return file;
}

const LINKING_SCRIPT = `
import bpy, sys
argv = sys.argv[sys.argv.index('--') + 1:]
out, library = argv[0], argv[1]
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.mesh.primitive_cube_add()
bpy.ops.wm.save_as_mainfile(filepath=library, relative_remap=False)
bpy.ops.wm.read_factory_settings(use_empty=True)
with bpy.data.libraries.load(library, link=True) as (src, dst):
    dst.objects = list(src.objects)
for o in dst.objects:
    bpy.context.scene.collection.objects.link(o)
bpy.ops.object.camera_add(location=(0, -6, 2), rotation=(1.3, 0, 0))
bpy.context.scene.camera = bpy.context.active_object
bpy.context.scene.frame_end = 1
bpy.ops.wm.save_as_mainfile(filepath=out, relative_remap=False)
`;

/** A scene that links a cube from another .blend at `library` (made there first; a test may remove it). */
export async function makeLinkingScene(file: string, library: string): Promise<string> {
  await build(LINKING_SCRIPT, [file, library], 'the linking scene');
  return file;
}
