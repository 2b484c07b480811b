"""Events a domain announces and others follow, inside the same transaction (钩子).

A lower domain must not import a higher one: appeals cannot import the dashboard, yet every
appeals change has to move the dashboard's figures in the same transaction so that they stay
exact. So the dashboard registers what it does when "an appeal changed" (in its
``AppConfig.ready``, like a capability), and appeals announce the change; the follower runs
there and then, in the announcer's transaction, and an error in it rolls the change back.

This is not a signal: the events are few and named here, each follower is registered
explicitly by the app that owns it, and nothing runs that a reader of the announcing service
cannot find by searching for the event's name.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

# The events, with the keyword arguments each is announced with.
APPEAL_CHANGED = "appeal_changed"  # appeal, action (a timeline action), at (the moment, optional)

EVENTS = {APPEAL_CHANGED}

_FOLLOWERS: dict[str, list[Callable]] = {event: [] for event in EVENTS}


def follow(event: str, follower: Callable) -> None:
    """Register a follower of an event (once; registering it again changes nothing)."""
    if event not in _FOLLOWERS:
        raise ImproperlyConfigured(f"Unknown event {event!r}: name it in linli.core.hooks.EVENTS.")
    if follower not in _FOLLOWERS[event]:
        _FOLLOWERS[event].append(follower)


def followers(event: str) -> list[Callable]:
    return list(_FOLLOWERS[event])


def announce(event: str, **kwargs) -> None:
    """Run every follower of the event now, in the caller's transaction."""
    for follower in _FOLLOWERS[event]:
        follower(**kwargs)
