"""Headless test of the add-on (run by scripts/test-python.sh):

    blender -b -Y --factory-startup --python-exit-code 1 --python clients/blender/tests/test_publish.py

Installs the add-on from the repository (zipped into a temp dir, installed into BLENDER_USER_SCRIPTS), enables
it, signs in with a fresh API token, saves a trivial scene, publishes it, checks the version through the API,
then submits a render and polls its status until it completes. Environment: STUDIO_API_URL,
STUDIO_ACCESS_TOKEN (a PRODUCER's JWT, to mint the token and the asset) and STUDIO_PASSWORD (theirs), STUDIO_TEST_TMP,
STUDIO_TEST_RENDER_ENGINE (default blender), BLENDER_USER_SCRIPTS (a temporary directory)."""

import hashlib
import json
import os
import shutil
import sys
import time
import urllib.request

import addon_utils
import bpy

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON_SRC = os.path.join(os.path.dirname(HERE), "studio_api_blender")
API = os.environ["STUDIO_API_URL"]
JWT = os.environ["STUDIO_ACCESS_TOKEN"]
PASSWORD = os.environ["STUDIO_PASSWORD"]
TMP = os.environ.get("STUDIO_TEST_TMP") or os.path.join(bpy.app.tempdir, "studio-test")
ENGINE = os.environ.get("STUDIO_TEST_RENDER_ENGINE", "blender")


def call(method, path, body=None, token=JWT):
    req = urllib.request.Request(API + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def main():
    os.makedirs(TMP, exist_ok=True)
    # Install from the repository path, into a throw-away user scripts dir (never the user's own): Blender
    # reads BLENDER_USER_SCRIPTS at start-up, so the caller sets it (scripts/test-python.sh does).
    scripts = os.environ.get("BLENDER_USER_SCRIPTS")
    assert scripts, "set BLENDER_USER_SCRIPTS to a temporary directory, so the add-on is not installed into your Blender config"
    archive = shutil.make_archive(os.path.join(TMP, "studio_api_blender"), "zip", os.path.dirname(ADDON_SRC), "studio_api_blender")
    bpy.ops.preferences.addon_install(filepath=archive, overwrite=True, target="PREFS") if bpy.app.version >= (4, 2, 0) \
        else bpy.ops.preferences.addon_install(filepath=archive, overwrite=True)
    mod = addon_utils.enable("studio_api_blender", default_set=True, handle_error=None)
    assert mod is not None, "the add-on did not enable"
    print("studio: add-on installed from", ADDON_SRC, "into", os.path.dirname(mod.__file__))
    assert os.path.realpath(mod.__file__).startswith(os.path.realpath(scripts) + os.sep), mod.__file__

    # Minting asks for the person's password afresh (a session alone cannot), and every token expires.
    token = call("POST", "/tokens", {"name": "blender test", "scopes": ["assets:read", "assets:write", "renders:read", "renders:write"],
                                     "expiresInDays": 1, "currentPassword": PASSWORD})["token"]
    prefs = bpy.context.preferences.addons["studio_api_blender"].preferences
    prefs.api_url, prefs.token = API, token
    assert bpy.ops.studio.sign_in() == {"FINISHED"}

    asset = call("POST", "/assets", {"name": f"Blender shot {int(time.time() * 1000)}", "type": "SHOT"})
    scene = bpy.context.scene
    settings = scene.studio
    settings.search = asset["name"]
    assert bpy.ops.studio.refresh_assets() == {"FINISHED"}
    assert [a.asset_id for a in settings.assets] == [asset["id"]], list(settings.assets)
    settings.asset_index = 0  # picking the row sets asset_id
    assert settings.asset_id == asset["id"]

    # A trivial scene, cheap to render: the default cube, workbench, a tiny frame.
    bpy.ops.mesh.primitive_monkey_add(location=(2, 0, 0))
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 64, 36, 100
    scene.frame_start, scene.frame_end = 1, 2
    blend = os.path.join(TMP, "shot.blend")
    bpy.ops.wm.save_as_mainfile(filepath=blend)

    settings.change_note = "published from Blender"
    assert bpy.ops.studio.publish() == {"FINISHED"}, settings.status
    print("studio:", settings.status)
    version = call("GET", f"/assets/{asset['id']}/versions/{settings.last_version}")
    with open(blend, "rb") as fh:
        local = hashlib.sha256(fh.read()).hexdigest()
    assert version["version"] == 1 and version["changeNote"] == "published from Blender", version
    assert version["file"]["sha256"] == local and version["file"]["originalName"] == "shot.blend", version

    settings.chunk_size, settings.engine = 1, ENGINE
    assert bpy.ops.studio.render() == {"FINISHED"}, settings.status
    deadline = time.monotonic() + 300
    while True:
        assert bpy.ops.studio.render_status() == {"FINISHED"}
        status = settings.render_status
        if status.split()[0] in ("COMPLETED", "FAILED", "CANCELLED") or time.monotonic() > deadline:
            break
        time.sleep(1)
    print("studio: render", settings.render_job_id, status)
    assert status.startswith("COMPLETED"), (status, call("GET", f"/render-jobs/{settings.render_job_id}"))

    addon_utils.disable("studio_api_blender", default_set=True)
    print("PASS blender add-on: installed, signed in, picked an asset, published v1 (sha256 matches), render", ENGINE, "completed")


try:
    main()
except Exception:
    import traceback
    traceback.print_exc()
    sys.exit(1)
