"""The pure domain of Tango Pass: aggregates, events and the rules of the brief.

Nothing here reads the clock, touches a database or knows about HTTP: every
command takes ``now`` as an argument and every decision lands in an event.
"""
