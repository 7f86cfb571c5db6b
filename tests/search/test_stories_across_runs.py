"""Stories and the day articles entered, across indexing runs on real indexes (Whoosh; the read side is in
tests/contract/test_stories_and_entities.py, on both engines)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from engines.whoosh import build_index
from tests.conftest import api_search, client_for, write_jsonl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPRINTS = FIXTURES / "reprints.jsonl"
HURRICANE = ("32702", "32627")
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()



def test_an_article_keeps_the_day_it_entered_through_a_rebuild_and_deletions_are_counted(tmp_path):
    first = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "Mali", "body": "La souveraineté du Mali."},
                                             {"id": "b", "title": "Niger", "body": "La souveraineté du Niger."}])
    index_dir = tmp_path / "index"
    build_index([first], index_dir)
    entered = client_for(index_dir).get("/api/v1/documents/a").get_json()
    second = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "Mali", "body": "La souveraineté du Mali."}])
    report = build_index([second], index_dir, rebuild=True, allow_shrink=True)
    assert report.deleted_ids == ["b"]
    client = client_for(index_dir)
    assert client.get("/api/v1/documents/a").get_json()["added"] == entered["added"]
    pinned = api_search(client, q="souveraineté", asof=YESTERDAY)
    assert pinned["deleted_since"] == 1 and pinned["total"] == 0
    jobs = [json.loads(p.read_text()) for p in (index_dir / "jobs").glob("*.json")] if (index_dir / "jobs").exists() else []
    assert all("deleted_ids" in job.get("report", {}) for job in jobs)


def test_an_incremental_run_puts_a_new_copy_in_the_story_it_belongs_to(tmp_path):
    index_dir = tmp_path / "index"
    build_index([REPRINTS], index_dir)
    before = api_search(client_for(index_dir), q="ouragan Laura")["hits"][0]["story"]
    records = [json.loads(line) for line in REPRINTS.read_text(encoding="utf-8").splitlines()]
    hurricane = next(r for r in records if r["id"] == HURRICANE[1])
    third = {**hurricane, "id": "copy-3", "url": "https://example.org/copy-3", "source": "Le Soir",
             "title": "États-Unis : " + hurricane["title"], "date": "2020-08-30"}
    build_index([REPRINTS, write_jsonl(tmp_path / "more.jsonl", [third])], index_dir)
    answer = api_search(client_for(index_dir), q="ouragan Laura")
    assert [hit["id"] for hit in answer["hits"]] == [HURRICANE[0]]
    assert answer["hits"][0]["story"] == before and answer["hits"][0]["copies"] == 2
