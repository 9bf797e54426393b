"""Outreach: SMS to workers — a template registry, an outbox of messages, a drain that sends
them through a provider backend at most once each, the rules people expect (consent, quiet
hours, a daily cap, TD opt-out) and the triggers that queue reminders on their own.

The top floor: it reads transport, placement, cases, follow-ups and the personal link, and
listens to their models' saves (``outreach.triggers``) instead of being called by them, so
the floors below never know SMS exists.
"""
