"""Each command declared once: its id, key and words feed the footer, help, palette and keymap.

A screen lists its commands as `Command` values and turns them into Textual bindings:

    BINDINGS = bindings(
        Command("mark_kept", "k", "Kept", tooltip="Record the highlighted session as kept"),
        Command("reschedule", "r", "Reschedule", action="reschedule_appointment"),
    )

* ``id`` is the stable name users remap in the config file (``[keys] mark_kept = "K"``, applied
  with ``App.set_keymap``); ids are unique across the app.
* ``action`` defaults to the id: ``mark_kept`` calls ``action_mark_kept``.
* The footer shows ``description`` when ``show`` is true; the help screen (`help_rows`) and the
  command palette (`BindingCommands`) list every command with a description, shown or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Literal

import msgspec
from textual.actions import parse as parse_action
from textual.binding import ActiveBinding, Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

Scope = Literal["screen", "app", "widget"]


class Command(msgspec.Struct, frozen=True):
    """One user command: a stable id, its default key, and the words shown for it."""

    id: str
    key: str
    description: str
    action: str = ""
    show: bool = True
    tooltip: str = ""
    key_display: str | None = None
    priority: bool = False

    @property
    def action_name(self) -> str:
        """The action string the key runs (the id unless given)."""
        return self.action or self.id

    def binding(self) -> Binding:
        """The Textual binding for this command."""
        return Binding(self.key, self.action_name, self.description, show=self.show,
                       key_display=self.key_display, priority=self.priority,
                       tooltip=self.tooltip or self.description, id=self.id)


def bindings(*commands: Command) -> list[BindingType]:
    """Bindings for a screen's ``BINDINGS`` from its commands, in order."""
    return [command.binding() for command in commands]


def action_method_name(action: str) -> str:
    """``"open_screen('today')"`` → ``"action_open_screen"``: the method a binding calls."""
    _namespace, name, _args = parse_action(action)
    return f"action_{name}"


def binding_list(node: type[DOMNode] | DOMNode) -> list[Binding]:
    """The bindings a class declares itself (not inherited), as `Binding` objects."""
    cls = node if isinstance(node, type) else type(node)
    found: list[Binding] = []
    for item in cls.__dict__.get("BINDINGS", []):
        if isinstance(item, Binding):
            found.append(item)
        else:
            found.extend(Binding.make_bindings([item]))
    return found


def command_classes(root: type[DOMNode]) -> list[type[DOMNode]]:
    """`root` and every loaded screen or widget class of Caseload (for ids and binding checks)."""
    found: list[type[DOMNode]] = [root]
    pending: list[type[DOMNode]] = [DOMNode]
    seen: set[type[DOMNode]] = set()
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            pending.append(sub)
            if sub.__module__.startswith("caseload.tui.") and sub is not root:
                found.append(sub)
    return found


def all_command_ids(root: type[DOMNode]) -> set[str]:
    """Every command id declared by the app class and Caseload's loaded screens and widgets."""
    return {b.id for cls in command_classes(root) for b in binding_list(cls) if b.id}


class HelpRow(msgspec.Struct, frozen=True):
    """One line of the help screen."""

    key: str
    description: str
    tooltip: str
    scope: Scope
    id: str | None
    enabled: bool
    action: str = ""


def _scope(node: DOMNode) -> Scope:
    from textual.app import App

    if isinstance(node, App):
        return "app"
    if isinstance(node, Screen):
        return "screen"
    return "widget"


def _described(active: dict[str, ActiveBinding]) -> Iterator[tuple[ActiveBinding, Binding]]:
    """Bindings with words, one per action (a command on two keys, or Textual's own ctrl+q
    beside Caseload's q, is listed once, preferring the one Caseload declared with an id)."""
    chosen: dict[tuple[str, str], ActiveBinding] = {}
    for active_binding in active.values():
        binding = active_binding.binding
        if binding.system or not binding.description:
            continue
        marker = (binding.action, binding.description.lower())
        existing = chosen.get(marker)
        if existing is None or (existing.binding.id is None and binding.id is not None):
            chosen[marker] = active_binding
    for active_binding in chosen.values():
        yield active_binding, active_binding.binding


def help_rows(screen: Screen[object]) -> list[HelpRow]:
    """The keys in force on `screen`: its own, then app-wide ones, then the focused widget's.

    Built from the active bindings, so a remapped key shows as remapped and a command that is
    unavailable right now (``check_action`` returns False) is left out.
    """
    rows = [HelpRow(screen.app.get_key_display(binding), binding.description,
                    binding.tooltip or binding.description, _scope(active.node), binding.id,
                    active.enabled, binding.action)
            for active, binding in _described(screen.active_bindings)]
    order = {"screen": 0, "app": 1, "widget": 2}
    return sorted(rows, key=lambda row: order[row.scope])


class BindingCommands(Provider):
    """The command palette's entries: the active screen's commands, then the app's own.

    The palette offers exactly what the keys offer, on the screen it was opened from, with the
    key shown beside each entry; after them, Textual's system commands as the app filters them
    (`CaseloadApp.get_system_commands`). One provider for both, so the list always comes in the
    same order: with two providers, whichever answered first was listed first.
    """

    def _commands(self) -> Iterable[tuple[str, str, Callable[[], object], bool]]:
        screen = self.screen
        for active, binding in _described(screen.active_bindings):
            # Caseload's own commands (they have ids); Textual's focus and cursor keys are not.
            if not active.enabled or not binding.id or _scope(active.node) == "widget":
                continue
            key = self.app.get_key_display(binding)
            title = f"{binding.description} ({key})"
            run: Callable[[], object] = partial(self.app.run_action, binding.action,
                                                active.node)
            yield title, binding.tooltip or binding.description, run, True
        for system in sorted(self.app.get_system_commands(screen), key=lambda c: c.title):
            yield system.title, system.help, system.callback, system.discover

    async def discover(self) -> Hits:
        """Every command of the screen, then the app's, shown when the palette opens."""
        for title, help_text, run, shown in self._commands():
            if shown:
                yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose words match what was typed."""
        matcher = self.matcher(query)
        for title, help_text, run, _shown in self._commands():
            score = matcher.match(f"{title} {help_text}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
