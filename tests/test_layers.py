"""The arrows of the package map: interfaces ask services for outputs and import no renderer;
renderers and the bundle writer read an Edition, not the database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EDITORIAL = ROOT / "editorial"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (EDITORIAL / folder).rglob("*.py"))


RENDERERS = {"editorial.rendering.print", "editorial.rendering.wechat"}


@pytest.mark.parametrize(
    "path", modules("admin", "management", "api", "public", "previews"), ids=lambda p: p.name
)
def test_interfaces_import_no_renderer_but_the_title_proposals(path: Path) -> None:
    found = imported_modules(path) & RENDERERS
    if path.name == "articles.py" and path.parent.name == "admin":
        # The article form shows the WeChat title and digest proposals as placeholders.
        source = path.read_text(encoding="utf-8")
        assert (
            "from editorial.rendering.wechat import propose_wechat_digest, propose_wechat_title"
            in source
        )
        return
    assert found == set()


@pytest.mark.parametrize(
    "path",
    [*modules("rendering"), EDITORIAL / "bundles" / "writer.py"],
    ids=lambda p: p.name,
)
def test_renderers_and_the_bundle_writer_read_no_model_and_no_selector(path: Path) -> None:
    imported = imported_modules(path)
    assert "editorial.selectors" not in imported
    allowed = {"editorial.models.issues", "editorial.models.articles"}  # role and caption labels
    assert {m for m in imported if m.startswith("editorial.models")} <= allowed


def test_the_package_map_names_every_model_and_module() -> None:
    from django.apps import apps

    readme = (EDITORIAL / "README.md").read_text(encoding="utf-8")
    for model in apps.get_app_config("editorial").get_models():
        assert f"`{model.__name__}`" in readme, model.__name__
    assert "`Edition`" in readme or "**Edition**" in readme
    for path in [*EDITORIAL.glob("*.py"), *(EDITORIAL / "services").glob("*.py")]:
        if path.name != "__init__.py":
            assert f"`{path.name}`" in readme or f"`{path.parent.name}/{path.name}`" in readme, path


def test_the_service_tests_mirror_the_services() -> None:
    services = {p.stem for p in (EDITORIAL / "services").glob("*.py")} - {"__init__"}
    tests = {p.stem.removeprefix("test_") for p in (ROOT / "tests" / "services").glob("test_*.py")}
    assert services - tests == set()
