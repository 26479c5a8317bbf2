"""The build's JavaScript plumbing: module names, the worker's message names, worker imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_build.assets import (
    MESSAGES_MODULE,
    link_worker_imports,
    module_names,
    write_asset,
    write_messages_module,
)
from site_build.paths import ROOT, BuildError

WORKER = "js/bridge/worker.js"


def test_modules_in_subfolders_are_imported_by_their_path():
    assets = {"js/demo/view.js": "assets/js/demo/view.1.js", "css/site.css": "assets/x.css"}
    assert module_names(assets) == {"guide/demo/view.js": "assets/js/demo/view.1.js"}


def test_the_message_names_become_a_module_of_frozen_groups(tmp_path: Path):
    assets: dict[str, str] = {}
    names = write_messages_module(tmp_path, assets, ROOT / "sim" / "browser" / "messages.json")
    text = (tmp_path / assets[MESSAGES_MODULE]).read_text()
    assert names["toWorker"]["init"] == "init"
    for group, members in names.items():
        frozen = json.dumps(members, sort_keys=True)
        assert f"export const {group} = Object.freeze({frozen});" in text


def test_unreadable_message_names_fail_the_build_naming_the_file(tmp_path: Path):
    broken = tmp_path / "messages.json"
    broken.write_text("{not json")
    with pytest.raises(BuildError, match=r"messages\.json: cannot read the worker's message names"):
        write_messages_module(tmp_path, {}, broken)


def test_the_worker_imports_the_hashed_file_beside_it(tmp_path: Path):
    assets: dict[str, str] = {}
    write_asset(tmp_path, assets, MESSAGES_MODULE, b"export const toWorker = {};\n")
    source = 'import { toWorker } from "guide/bridge/messages.js";\nself.onmessage = () => {};\n'
    write_asset(tmp_path, assets, WORKER, source.encode())
    before = assets[WORKER]
    link_worker_imports(tmp_path, assets, WORKER)
    linked = (tmp_path / assets[WORKER]).read_text()
    messages = Path(assets[MESSAGES_MODULE]).name
    assert f'from "./{messages}"' in linked
    assert assets[WORKER] != before and not (tmp_path / before).exists()


def test_a_worker_import_the_build_does_not_write_fails_naming_it(tmp_path: Path):
    assets: dict[str, str] = {}
    write_asset(tmp_path, assets, WORKER, b'import { x } from "guide/bridge/nowhere.js";\n')
    with pytest.raises(BuildError, match=r"imports guide/bridge/nowhere\.js"):
        link_worker_imports(tmp_path, assets, WORKER)
