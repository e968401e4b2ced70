"""Community: comments, likes, follows, notifications, assignments, stories, events, live chat."""
