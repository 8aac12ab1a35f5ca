"""editorial/search.py: jieba's tokens, the query's terms, highlighting, and the same articles
found on PostgreSQL and on SQLite — every one a substring match finds for a Chinese word."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from editorial.management.commands.generate_archive import generate_archive
from editorial.search import canonical, highlight, index_tokens, parse_query, snippet
from tests import search_sides

ROOT = Path(__file__).resolve().parent.parent


def test_an_article_is_indexed_with_every_word_jieba_knows_in_it_and_every_character() -> None:
    tokens = index_tokens("推动算力基础设施建设，国办发〔2024〕15号，发展ＡＩ大模型与5G").split()
    for word in ("算力", "基础", "设施", "基础设施", "大模型", "ai", "5g", "wh2024n15"):
        assert word in tokens, word
    assert {"推", "算", "力", "号"} <= set(tokens)
    assert tokens.count("算") == 1  # each character once, words as often as they occur


def test_a_query_is_cut_in_precise_mode_and_short_unknown_words_must_occur_as_typed() -> None:
    (term,) = parse_query("算力")
    assert term.tokens == ("算力",) and not term.exact
    (term,) = parse_query("ＡＩ大模型")
    assert term.tokens == ("ai", "大模型") and term.text == "AI大模型"
    (term,) = parse_query("科创谷")  # no dictionary word: 科 创 谷, and as typed
    assert term.tokens == ("科", "创", "谷") and term.exact
    (term,) = parse_query("国办发[2024] 15 号")
    assert term.exact and term.tokens[0] == "wh2024n15"
    assert canonical("国办发［2024］第15号") == "国办发〔2024〕15号"
    assert [t.text for t in parse_query("  人工智能   安全 ")] == ["人工智能", "安全"]
    assert parse_query("，。！") == ()


def test_highlighting_escapes_everything_but_its_own_marks() -> None:
    marked = highlight('<img src=x onerror="alert(1)">算力', ["算力", "<img"])
    assert marked == (
        "<mark>&lt;img</mark> src=x onerror=&quot;alert(1)&quot;&gt;<mark>算力</mark>"
    )
    text = "甲" * 200 + "<b>算力</b>" + "乙" * 200
    shown = snippet(text, ["算力"])
    assert shown.startswith("…") and shown.endswith("…")
    assert "&lt;b&gt;<mark>算力</mark>&lt;/b&gt;" in shown and "<b>" not in shown


def sqlite_side(folder: Path) -> subprocess.Popen[str]:
    """The same archive on a fresh SQLite database (the embedded default) in another process,
    started now so that it runs while this one builds the PostgreSQL side."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digest.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "tests.search_sides"]
    return subprocess.Popen(  # noqa: S603 - our own module
        [*command, str(search_sides.SEED), str(search_sides.ISSUES)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db
def test_postgresql_and_sqlite_find_the_same_articles_and_all_a_substring_match_finds(
    tmp_path: Path,
) -> None:
    process = sqlite_side(tmp_path)
    generate_archive(search_sides.ISSUES, search_sides.SEED)
    postgresql = search_sides.side()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    sqlite = json.loads(out)
    assert len(postgresql) >= 25
    assert postgresql.keys() == sqlite.keys()
    numbers = 0
    for query, answer in postgresql.items():
        assert answer == sqlite[query], query
        found, substring = answer["found"], answer["substring"]
        assert len(found) == answer["total"], query
        if substring is None:
            continue
        assert substring, f"{query} is in no article: the query tests nothing"
        if answer["kind"] == "word":  # recall: whatever a substring match finds
            assert [k for k in substring if k not in found] == [], query
        else:  # a 文号 is found exactly: 〔2025〕3号 is not 〔2025〕35号
            numbers += 1
            assert found and all(k in substring for k in found), query
    assert numbers >= 3
    # Single characters and unknown words only where they occur as typed; filters narrow.
    for query in ('["数", {}]', '["谷", {}]', '["数谷", {}]'):
        assert postgresql[query]["found"] == postgresql[query]["substring"], query
    assert postgresql['["“算力”", {}]'] == {
        **postgresql['["算力", {}]'],
        "kind": None,
        "substring": None,
    }
    # The archive's last six weeks are all in 2025.
    assert postgresql['["算力", {"year": 2025}]']["found"] == postgresql['["算力", {}]']["found"]
    assert postgresql['["算力", {"year": 2024}]']["found"] == []
    assert (
        0
        < len(postgresql['["算力", {"section": "guoce"}]']["found"])
        < len(postgresql['["算力", {}]']["found"])
    )
