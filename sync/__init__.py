"""A bidirectional sync engine configured by the dataflow model, over HTTP connectors."""
