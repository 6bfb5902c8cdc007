"""Team mode: assignment of articles to annotators, agreement between them, adjudication."""
