"""Notifications: webhook endpoints, the event outbox, signed delivery and e-mail."""
