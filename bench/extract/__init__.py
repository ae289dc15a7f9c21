"""Bill extraction benchmark: field precision/recall on the labelled corpus, speed and memory."""
