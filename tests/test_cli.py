"""`run.py` as a user runs it: a real subprocess, its output, its exit code and its one-line errors."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.document import stable_id

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "tests" / "fixtures" / "seeds"
SEED_000 = SEEDS / "000_20293e5f2294f2d7.txt"  # Coopération sécuritaire Mali–Chine
MALI_CHINE_ID = stable_id("text", SEED_000.name)
MALI_CHINE_TITLE = "Coopération sécuritaire Mali–Chine"

HIT_KEYS = {"id", "title", "url", "source", "author", "published", "section", "tags", "score", "snippet_html",
            "missing_words", "language", "story", "copies", "copy_list", "copies_url"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "LOUPE_INDEX"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "run.py", *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=300
    )


def run_cli_on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal, as a user at a shell would; (exit code, stdout, stderr)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "LOUPE_INDEX"}
    process = subprocess.Popen(
        [sys.executable, "run.py", *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=slave
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout = process.stdout.read().decode("utf-8", "replace")
    process.wait(timeout=300)
    os.close(master)
    return process.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def assert_one_line_error(done: subprocess.CompletedProcess) -> str:
    """Exit code 2, no traceback, exactly one line on stderr; returns that line."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def hit_ids(stdout: str) -> list[str]:
    return re.findall(r"^\s*\d+\. .*\[([^\]]+)\]$", stdout, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def jsonl_corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli-corpus") / "articles.jsonl"
    records = [
        {
            "id": "00001",
            "url": "https://actu.orange.fr/politique/a-1.html",
            "title": "Les souverainetés nationales en débat",
            "date": "2019-03-14T10:00:00+01:00",
            "author": "AFP",
            "section": "Politique",
            "tags": ["Europe"],
            "summary": "Un débat sur la souveraineté.",
            "body": "Les députés ont débattu de la souveraineté nationale.",
            "source": "Orange Actu (actu.orange.fr)",
        },
        {
            "id": "00002",
            "url": "https://auto.orange.fr/news/a-2.html",
            "title": "Une voiture électrique",
            "date": "2020-06-01T08:00:00+02:00",
            "author": None,
            "section": "Auto",
            "tags": [],
            "summary": None,
            "body": "Le constructeur présente une batterie plus légère.",
            "source": "Orange Auto (auto.orange.fr)",
        },
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["{not json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, jsonl_corpus: Path) -> tuple[Path, subprocess.CompletedProcess]:
    index_dir = tmp_path_factory.mktemp("cli-index") / "index"
    done = run_cli("index", "--corpus", str(SEEDS), "--corpus", str(jsonl_corpus), "--index", str(index_dir))
    return index_dir, done


@pytest.fixture(scope="module")
def index_dir(indexed) -> Path:
    index_dir, done = indexed
    assert done.returncode == 0, done.stderr
    return index_dir


# ---------------------------------------------------------------- index

def test_index_prints_the_report_with_added_failed_and_docs_per_second(indexed, jsonl_corpus: Path) -> None:
    index_dir, done = indexed
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"Indexed 5 documents into .* in [\d.]+ s \([\d,]+ docs/s\)", done.stdout), done.stdout
    assert "merged duplicates: 0" in done.stdout
    assert "failed: 1" in done.stdout
    assert f"{jsonl_corpus}:3: not valid JSON" in done.stdout


def test_index_makes_a_current_build_in_the_index_directory(index_dir: Path) -> None:
    assert (index_dir / "current").is_symlink()
    assert os.readlink(index_dir / "current").startswith("build-")


def test_index_uses_loupe_index_when_no_index_option_is_given(tmp_path: Path, jsonl_corpus: Path) -> None:
    index_dir = tmp_path / "from-env"
    done = run_cli("index", "--corpus", str(jsonl_corpus), env={"LOUPE_INDEX": str(index_dir)})
    assert done.returncode == 0, done.stderr
    assert (index_dir / "current").is_symlink()


def test_index_on_a_terminal_shows_a_progress_bar_and_prints_the_report(tmp_path: Path) -> None:
    corpus = tmp_path / "many.jsonl"
    records = [{"id": f"{n:05d}", "title": f"Titre {n}", "body": f"Texte {n} sur le Mali."} for n in range(120)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, stdout, stderr = run_cli_on_a_terminal("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "50/120" in stderr
    assert "docs/s" in stderr
    assert "Indexed 120 documents" in stdout


def test_index_on_a_terminal_reports_a_corrupt_xz_file_without_a_traceback(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.jsonl.xz"
    corrupt.write_bytes(b"this is not xz data at all")
    code, stdout, stderr = run_cli_on_a_terminal(
        "index", "--corpus", str(corrupt), "--corpus", str(SEEDS), "--index", str(tmp_path / "index")
    )
    assert "Traceback" not in stderr
    assert code == 0, stderr
    assert "Indexed 3 documents" in stdout
    assert f"{corrupt}: cannot read" in stdout


def test_a_second_index_run_replaces_the_index_searched(tmp_path: Path, jsonl_corpus: Path) -> None:
    index_dir = tmp_path / "index"
    assert run_cli("index", "--corpus", str(SEEDS), "--index", str(index_dir)).returncode == 0
    assert run_cli("index", "--corpus", str(jsonl_corpus), "--index", str(index_dir)).returncode == 0
    done = run_cli("search", "souverainete", "--index", str(index_dir))
    assert hit_ids(done.stdout) == ["00001"]


def test_an_index_run_that_finds_nothing_keeps_the_index_in_use(tmp_path: Path, jsonl_corpus: Path) -> None:
    index_dir = tmp_path / "index"
    assert run_cli("index", "--corpus", str(jsonl_corpus), "--index", str(index_dir)).returncode == 0
    before = os.readlink(index_dir / "current")
    assert_one_line_error(run_cli("index", "--corpus", str(tmp_path / "typo.jsonl"), "--index", str(index_dir)))
    assert os.readlink(index_dir / "current") == before
    assert hit_ids(run_cli("search", "batterie", "--index", str(index_dir)).stdout) == ["00002"]


# ---------------------------------------------------------------- search

def test_search_without_accent_lists_the_mali_chine_article(index_dir: Path) -> None:
    done = run_cli("search", "souverainete", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert MALI_CHINE_ID in hit_ids(done.stdout)
    assert MALI_CHINE_TITLE in done.stdout


def test_search_reads_the_index_path_from_loupe_index(index_dir: Path) -> None:
    done = run_cli("search", "souverainete", env={"LOUPE_INDEX": str(index_dir)})
    assert done.returncode == 0, done.stderr
    assert MALI_CHINE_ID in hit_ids(done.stdout)


def test_search_marks_the_matched_words_when_piped(index_dir: Path) -> None:
    done = run_cli("search", "batterie", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert hit_ids(done.stdout) == ["00002"]
    assert "*batterie*" in done.stdout


def test_search_limit_caps_the_number_of_hits(index_dir: Path) -> None:
    done = run_cli("search", "souverainete", "--index", str(index_dir), "--limit", "1")
    assert done.returncode == 0, done.stderr
    assert len(hit_ids(done.stdout)) == 1


def test_search_of_stop_words_only_says_so_and_exits_zero(index_dir: Path) -> None:
    done = run_cli("search", "le la de", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert hit_ids(done.stdout) == []
    assert "Only common words" in done.stdout


def test_search_json_prints_the_api_object(index_dir: Path) -> None:
    done = run_cli("search", "souveraineté", "--index", str(index_dir), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert {"query", "total", "hits", "facets", "suggestion"} <= set(answer)
    assert answer["query"] == "souveraineté"
    assert answer["total"] == len(answer["hits"]) >= 2
    for hit in answer["hits"]:
        assert set(hit) == HIT_KEYS
    by_id = {hit["id"]: hit for hit in answer["hits"]}
    assert MALI_CHINE_ID in by_id
    orange = by_id["00001"]
    assert orange["published"] == "2019-03-14"
    assert orange["author"] == "AFP"
    assert orange["section"] == "Politique"
    assert orange["tags"] == ["Europe"]
    assert orange["url"] == "https://actu.orange.fr/politique/a-1.html"
    assert "<mark>" in orange["snippet_html"]
    assert isinstance(orange["score"], float)


# ---------------------------------------------------------------- stats

def test_stats_prints_documents_sources_date_range_and_size(index_dir: Path) -> None:
    done = run_cli("stats", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^documents:\s+5$", done.stdout, flags=re.MULTILINE), done.stdout
    assert re.search(r"^date range:\s+\S+ → 2020-06-01$", done.stdout, flags=re.MULTILINE), done.stdout
    assert re.search(r"^size:\s+[\d.]+ MB$", done.stdout, flags=re.MULTILINE), done.stdout
    assert "sources:" in done.stdout
    assert "Orange Actu (actu.orange.fr)" in done.stdout
    assert "Orange Auto (auto.orange.fr)" in done.stdout


# ---------------------------------------------------------------- errors: one line, exit 2

def test_search_without_an_index_says_which_command_builds_one(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("search", "mali", "--index", str(tmp_path / "none")))
    assert "python run.py index" in line


def test_stats_without_an_index_says_which_command_builds_one(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("stats", "--index", str(tmp_path / "none")))
    assert "python run.py index" in line


def test_indexing_a_file_of_unknown_type_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4\n")
    line = assert_one_line_error(run_cli("index", "--corpus", str(notes), "--index", str(tmp_path / "index")))
    assert str(notes) in line
    assert "unknown file type" in line


def test_indexing_a_path_that_cannot_be_read_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "absent.jsonl"
    line = assert_one_line_error(run_cli("index", "--corpus", str(missing), "--index", str(tmp_path / "index")))
    assert str(missing) in line


def test_an_unclosed_phrase_is_a_one_line_query_syntax_error(index_dir: Path) -> None:
    line = assert_one_line_error(run_cli("search", '"abc', "--index", str(index_dir)))
    assert '"' in line
    assert "phrase" in line


def test_limit_zero_is_a_one_line_error_giving_the_allowed_range(index_dir: Path) -> None:
    line = assert_one_line_error(run_cli("search", "mali", "--index", str(index_dir), "--limit", "0"))
    assert "--limit" in line
    assert "1" in line and "100" in line


def test_an_unknown_query_field_is_a_one_line_error_naming_it(index_dir: Path) -> None:
    line = assert_one_line_error(run_cli("search", "autor:AFP", "--index", str(index_dir)))
    assert "autor" in line


# ---------------------------------------------------------------- the bundled demo corpus

@pytest.fixture(scope="module")
def demo_cli_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("cli-demo") / "index"
    done = run_cli("index", "--corpus", "corpus", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert "failed: 0" in done.stdout
    return index_dir


def test_search_souverainete_on_the_demo_corpus_lists_the_seed_article_in_the_first_three(demo_cli_index: Path) -> None:
    done = run_cli("search", "souverainete", "--index", str(demo_cli_index))
    assert done.returncode == 0, done.stderr
    assert MALI_CHINE_ID in hit_ids(done.stdout)[:3], done.stdout


def test_search_piped_into_a_reader_that_stops_ends_quietly(demo_cli_index: Path) -> None:
    # As `run.py search … | head`: the reader is gone before the results are written.
    env = {k: v for k, v in os.environ.items() if k != "LOUPE_INDEX"}
    search = subprocess.Popen([sys.executable, "run.py", "search", "souverainete", "--index", str(demo_cli_index)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    search.stdout.close()
    stderr = search.stderr.read().decode()
    assert search.wait(timeout=300) == 0, stderr
    assert stderr == ""


def test_stats_on_the_demo_corpus_counts_about_two_thousand_documents(demo_cli_index: Path) -> None:
    done = run_cli("stats", "--index", str(demo_cli_index), "--json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert 1900 <= stats["documents"] <= 2100
    assert stats["date_from"] < stats["date_to"]
