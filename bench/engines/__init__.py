"""One module per engine: build an index from the bench corpus and answer the bench queries."""
