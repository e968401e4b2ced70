"""Stories: the timeline of one event's coverage (videos and editors' updates), followed by readers."""
