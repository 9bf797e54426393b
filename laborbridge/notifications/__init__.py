"""The notification outbox: one place where every app leaves a message for people.

A message is a row written in the same transaction as its cause (``services.notify``). It
holds a message *key* and *parameters* — never translated text: ``messages`` maps each key to
a gettext title and body, rendered when the message is read (or sent) in the reader's
language. It is addressed to *audiences* ("the officials of county X", "the HR users of
employer Y", "the coordinators of pairing Z", "user U"); who belongs to an audience is
answered by ``laborbridge.access.messages_visible_to``, the one scoping module. Each audience
× channel has a delivery state (in-app is delivered at once; an SMS drain works through the
pending ones later), and each reader has their own read state.

Apps register their message keys in ``AppConfig.ready`` (``messages.register``); the
outbox never imports an app.
"""
