"""Help-centre search: one tokenizer for index and query, PostgreSQL full-text search or a
Python fallback on SQLite, synonyms, typo tolerance on titles and optional semantic blending.

Entry point: helpcenter.selectors.article_search.
"""
