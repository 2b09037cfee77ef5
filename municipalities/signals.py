"""Signals other apps listen to (municipalities imports none of them)."""

from django.dispatch import Signal

# Sent after a programme's reminder settings change, inside the same transaction: programme=<Programme>.
# consultations moves the pending reminders of its open requests to the new thresholds.
reminder_policy_changed = Signal()
