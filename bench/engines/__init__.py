"""One module per engine: build an index from the bench corpus and answer the bench queries."""

from engines.whoosh.schema import DEFAULT_SEARCH_FIELDS

# Every engine weighs a title match as Loupe does (its `text` field holds the title too).
TITLE_BOOST = DEFAULT_SEARCH_FIELDS["title"]
