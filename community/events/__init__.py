"""Events (online Q&As, meet-ups, trainings) with a waiting list, reminders and guest experts."""
