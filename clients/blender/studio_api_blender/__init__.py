"""Studio API for Blender: sign in with an API token, pick an asset, publish the saved .blend as its next
version, and submit a farm render of it with live status. No network at import or registration time."""

bl_info = {
    "name": "Studio API",
    "author": "Studio API",
    "version": (0, 1, 0),
    "blender": (3, 0, 0),
    "location": "3D Viewport > Sidebar > Studio",
    "description": "Publish the current .blend to the Studio API as a new version and render it on the farm",
    "category": "Import-Export",
}

import os

import bpy
from bpy.props import CollectionProperty, EnumProperty, IntProperty, PointerProperty, StringProperty

from . import api

TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
_session = {"user": ""}


def _prefs(context):
    return context.preferences.addons[__name__].preferences


def client(context):
    prefs = _prefs(context)
    return api.Client(prefs.api_url, prefs.token)


def _state_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "studio-api", "blender-uploads")


class StudioPreferences(bpy.types.AddonPreferences):
    bl_idname = __name__

    api_url: StringProperty(name="API URL", default="http://localhost:3000")
    token: StringProperty(name="API token", description="A token made with POST /tokens (sapi_…)", subtype="PASSWORD")

    def draw(self, context):
        self.layout.prop(self, "api_url")
        self.layout.prop(self, "token")
        self.layout.operator(STUDIO_OT_sign_in.bl_idname)


class StudioAssetItem(bpy.types.PropertyGroup):
    name: StringProperty()
    asset_id: StringProperty()
    type: StringProperty()
    latest_version: IntProperty()


def _on_pick(self, context):
    if 0 <= self.asset_index < len(self.assets):
        self.asset_id = self.assets[self.asset_index].asset_id


class StudioSceneSettings(bpy.types.PropertyGroup):
    assets: CollectionProperty(type=StudioAssetItem)
    asset_index: IntProperty(update=_on_pick)
    asset_id: StringProperty(name="Asset id")
    search: StringProperty(name="Search", description="Name prefix")
    change_note: StringProperty(name="Change note")
    chunk_size: IntProperty(name="Chunk size", default=10, min=1, max=1000)
    engine: EnumProperty(name="Engine", items=[("blender", "Blender", "Render on the farm with Blender"),
                                               ("simulated", "Simulated", "A simulated render (testing the farm)")])
    last_version: IntProperty(name="Published version", default=0)
    render_job_id: StringProperty(name="Render job")
    render_status: StringProperty(name="Render status")
    status: StringProperty(name="Status")


def _fail(op, settings, err):
    message = f"{err.code}: {err.message}" if isinstance(err, api.StudioApiError) else str(err)
    settings.status = message
    op.report({"ERROR"}, message)
    return {"CANCELLED"}


class STUDIO_OT_sign_in(bpy.types.Operator):
    """Check the API token and show who it signs in as"""

    bl_idname = "studio.sign_in"
    bl_label = "Sign in"

    def execute(self, context):
        settings = context.scene.studio
        try:
            me = client(context).me()
        except (api.StudioApiError, OSError, ValueError) as err:
            return _fail(self, settings, err)
        _session["user"] = f"{me.get('name', '?')} ({me.get('role', '?')})"
        settings.status = f"Signed in as {_session['user']}"
        self.report({"INFO"}, settings.status)
        return {"FINISHED"}


class STUDIO_OT_refresh_assets(bpy.types.Operator):
    """Fetch the studio's assets to pick from"""

    bl_idname = "studio.refresh_assets"
    bl_label = "Refresh assets"

    def execute(self, context):
        settings = context.scene.studio
        try:
            found = client(context).assets(q=settings.search or None)
        except (api.StudioApiError, OSError, ValueError) as err:
            return _fail(self, settings, err)
        settings.assets.clear()
        for a in found:
            item = settings.assets.add()
            item.name, item.asset_id, item.type, item.latest_version = a["name"], a["id"], a["type"], a["latestVersion"]
        settings.status = f"{len(found)} assets"
        return {"FINISHED"}


class STUDIO_OT_publish(bpy.types.Operator):
    """Save the .blend, then upload it as the picked asset's next version"""

    bl_idname = "studio.publish"
    bl_label = "Publish .blend"

    def execute(self, context):
        settings = context.scene.studio
        if not settings.asset_id:
            return _fail(self, settings, ValueError("Pick an asset first"))
        if not bpy.data.filepath:
            return _fail(self, settings, ValueError("Save the file once (File > Save As) before publishing"))
        bpy.ops.wm.save_mainfile()
        wm = context.window_manager
        wm.progress_begin(0, 100)
        try:
            result = client(context).upload(
                settings.asset_id, bpy.data.filepath, change_note=settings.change_note, state_dir=_state_dir(),
                progress=lambda done, total: wm.progress_update(int(100 * done / max(total, 1))),
            )
        except (api.StudioApiError, OSError, ValueError) as err:
            return _fail(self, settings, err)
        finally:
            wm.progress_end()
        version = result["version"]
        settings.last_version = version["version"]
        settings.status = f"Published v{version['version']} ({version['file']['size']} bytes, sha256 {version['file']['sha256'][:12]}…)"
        self.report({"INFO"}, settings.status)
        return {"FINISHED"}


def _show_job(settings, job):
    done = sum(1 for c in job.get("chunks", []) if c.get("status") == "COMPLETED")
    settings.render_status = f"{job['status']} {job.get('progress', 0):.0f}% ({done}/{len(job.get('chunks', []))} chunks)"


def poll_render(scene=None):
    """Refreshes the render status of the scene; returns the job (or None). Used by the timer and the operator."""
    scene = scene or bpy.context.scene
    settings = scene.studio
    if not settings.render_job_id:
        return None
    job = api.Client(_prefs(bpy.context).api_url, _prefs(bpy.context).token).render_job(settings.render_job_id)
    _show_job(settings, job)
    return job


def _timer():
    try:
        job = poll_render()
    except Exception as err:  # a timer that raises is unregistered by Blender: say why instead
        bpy.context.scene.studio.render_status = f"status unavailable: {err}"
        return None
    for area in getattr(bpy.context.screen, "areas", []) or []:
        area.tag_redraw()
    return None if job is None or job["status"] in TERMINAL else 2.0


class STUDIO_OT_render(bpy.types.Operator):
    """Submit a farm render of the published version (the scene's frame range, in chunks)"""

    bl_idname = "studio.render"
    bl_label = "Render on farm"

    def execute(self, context):
        settings = context.scene.studio
        if not settings.asset_id:
            return _fail(self, settings, ValueError("Pick an asset first"))
        scene = context.scene
        try:
            job = client(context).submit_render(
                settings.asset_id, version=settings.last_version or None, frame_start=scene.frame_start,
                frame_end=scene.frame_end, chunk_size=settings.chunk_size, engine=settings.engine,
            )
        except (api.StudioApiError, OSError, ValueError) as err:
            return _fail(self, settings, err)
        settings.render_job_id = job["id"]
        _show_job(settings, job)
        if not bpy.app.timers.is_registered(_timer):
            bpy.app.timers.register(_timer, first_interval=2.0)
        self.report({"INFO"}, f"Render {job['id']} queued")
        return {"FINISHED"}


class STUDIO_OT_render_status(bpy.types.Operator):
    """Refresh the render's status now"""

    bl_idname = "studio.render_status"
    bl_label = "Refresh render status"

    def execute(self, context):
        try:
            poll_render(context.scene)
        except (api.StudioApiError, OSError, ValueError) as err:
            return _fail(self, context.scene.studio, err)
        return {"FINISHED"}


class STUDIO_UL_assets(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index):
        layout.label(text=item.name)
        layout.label(text=f"{item.type} v{item.latest_version}")


class STUDIO_PT_panel(bpy.types.Panel):
    bl_label = "Studio API"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Studio"

    def draw(self, context):
        settings = context.scene.studio
        layout = self.layout
        layout.label(text=_session["user"] or "Not signed in", icon="USER")
        layout.operator(STUDIO_OT_sign_in.bl_idname)
        row = layout.row(align=True)
        row.prop(settings, "search", text="")
        row.operator(STUDIO_OT_refresh_assets.bl_idname, text="", icon="FILE_REFRESH")
        layout.template_list("STUDIO_UL_assets", "", settings, "assets", settings, "asset_index", rows=4)
        layout.prop(settings, "change_note")
        layout.operator(STUDIO_OT_publish.bl_idname, icon="EXPORT")
        box = layout.box()
        box.prop(context.scene, "frame_start")
        box.prop(context.scene, "frame_end")
        box.prop(settings, "chunk_size")
        box.prop(settings, "engine")
        box.operator(STUDIO_OT_render.bl_idname, icon="RENDER_ANIMATION")
        if settings.render_job_id:
            row = box.row()
            row.label(text=settings.render_status or "…")
            row.operator(STUDIO_OT_render_status.bl_idname, text="", icon="FILE_REFRESH")
        if settings.status:
            layout.label(text=settings.status)


classes = (
    StudioPreferences, StudioAssetItem, StudioSceneSettings, STUDIO_OT_sign_in, STUDIO_OT_refresh_assets,
    STUDIO_OT_publish, STUDIO_OT_render, STUDIO_OT_render_status, STUDIO_UL_assets, STUDIO_PT_panel,
)


def register():
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.studio = PointerProperty(type=StudioSceneSettings)


def unregister():
    if bpy.app.timers.is_registered(_timer):
        bpy.app.timers.unregister(_timer)
    del bpy.types.Scene.studio
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
