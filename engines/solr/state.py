"""The SolrCloud state Loupe reads: collections, aliases, and each collection's metadata (an alias property).

The writer (engines/solr/writer.py) records a collection's metadata, the
`meta` of indexer.build.build_meta plus `schema_version`, `configset`,
`analysis` and `collection`, as the alias property `loupe.meta.<collection>`
(JSON), before the alias points at it; the read side finds `built_at` there.
"""

from __future__ import annotations

import json

from engines.solr.client import SolrClient

META_PROPERTY = "loupe.meta."  # + collection name: that collection's metadata, as JSON
ADMIN_SECONDS = 300  # CREATE waits for every replica; a busy 2-core machine takes a while


class ClusterState:
    """Collections, aliases and alias properties, as one pair of reads sees them."""

    def __init__(self, client: SolrClient) -> None:
        status = client.get("admin/collections", action="CLUSTERSTATUS")["cluster"]
        listed = client.get("admin/collections", action="LISTALIASES")
        client.learn_live_nodes(status.get("live_nodes", []))
        self.collections: dict[str, dict] = status.get("collections", {})
        self.live_nodes = set(status.get("live_nodes", []))
        self.aliases: dict[str, list[str]] = {
            name: [c for c in str(targets).split(",") if c] for name, targets in listed.get("aliases", {}).items()
        }
        self.properties: dict[str, dict[str, str]] = listed.get("properties", {})

    def alias_target(self, alias: str) -> str | None:
        """The one collection `alias` points to; None when there is no alias (or it names several)."""
        targets = self.aliases.get(alias, [])
        return targets[0] if len(targets) == 1 else None

    def meta(self, alias: str, collection: str | None) -> dict:
        """What the writer recorded for `collection` behind `alias`; {} for a collection Loupe did not finish."""
        text = self.properties.get(alias, {}).get(META_PROPERTY + collection) if collection else None
        try:
            return json.loads(text) if text else {}
        except ValueError:
            return {}

    def config_name(self, collection: str) -> str | None:
        return self.collections.get(collection, {}).get("configName")

    def all_replicas_active(self, collection: str) -> bool:
        shards = self.collections.get(collection, {}).get("shards", {})
        replicas = [r for shard in shards.values() for r in shard.get("replicas", {}).values()]
        return bool(replicas) and all(r.get("state") == "active" and r.get("node_name") in self.live_nodes
                                      for r in replicas)


def collections_api(client: SolrClient, action: str, **params) -> dict:
    """A Collections API call, posted as a form (alias properties can be long)."""
    return client.checked("POST", "admin/collections", data={"action": action, **params}, timeout=ADMIN_SECONDS)


def current_meta(client: SolrClient, alias: str) -> dict:
    """The metadata of the collection `alias` points to; {} when there is none."""
    state = ClusterState(client)
    return state.meta(alias, state.alias_target(alias))
