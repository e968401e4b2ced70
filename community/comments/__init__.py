"""Comments on published videos and on stories: threads, edits, removals, held comments."""
