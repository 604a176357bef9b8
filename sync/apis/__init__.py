"""What the product knows of vendors' APIs: fact-only OpenAPI extracts, made by `extract` from a recipe per vendor."""
