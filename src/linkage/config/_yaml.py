"""YAML read as an attacker may write it: bounded size, nesting and alias expansion.

``yaml.safe_load`` builds no arbitrary objects, but it still follows aliases:
a "billion laughs" file (nine levels of nine aliases) is a few hundred bytes
that stands for 10^9 values, which exhausts memory as soon as anything walks
it (the manifest records the config as run); a recursive alias (``a: &a
[*a]``) makes a value that contains itself; and a deeply nested file overflows
the parser's recursion.  ``read_yaml`` refuses all three, and files too large
to be a config, each with a ``ConfigError`` that says what to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError

__all__ = ["read_yaml", "load_yaml_text", "MAX_YAML_BYTES", "MAX_DEPTH", "MAX_ALIASES", "MAX_EXPANDED_NODES",
           "MAX_EXPANDED_CHARS"]

#: a job config or geography file is a few kilobytes; a megabyte is far beyond any real one
MAX_YAML_BYTES = 1024 * 1024
#: nesting, counted after aliases are expanded (a config nests 4 or 5 levels)
MAX_DEPTH = 50
#: alias uses (``*name``) in one file
MAX_ALIASES = 1000
#: values the document stands for once every alias is expanded
MAX_EXPANDED_NODES = 100_000
#: characters of text it stands for once every alias is expanded
MAX_EXPANDED_CHARS = 4 * MAX_YAML_BYTES


class _LimitError(yaml.YAMLError):
    """The file is beyond one of the limits above (the message says which and the fix)."""


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that counts alias uses and nesting while composing, and refuses cycles."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):  # PyYAML's hook
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LimitError(f"it uses aliases (*name) more than {MAX_ALIASES} times; write the values out instead")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _LimitError(f"it nests deeper than {MAX_DEPTH} levels (line {mark.line + 1}); a config nests a few levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_expansion(node)
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Node) -> None:
    """Refuse a node graph with a cycle, or one that expands beyond the limits (iterative: no recursion)."""
    size: dict[int, tuple[int, int, int]] = {}  # id(node) -> (expanded nodes, characters, depth)
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            parts = [size[id(child)] for child in _children(node)]
            nodes = 1 + sum(p[0] for p in parts)
            chars = (len(node.value) if isinstance(node, ScalarNode) else 0) + sum(p[1] for p in parts)
            depth = 1 + max((p[2] for p in parts), default=0)
            if nodes > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
                raise _LimitError(
                    f"its aliases (*name) expand to more than {MAX_EXPANDED_NODES:,} values or {MAX_EXPANDED_CHARS:,} "
                    "characters (a \"billion laughs\" file?); write the values out instead of repeating aliases"
                )
            if depth > MAX_DEPTH:
                raise _LimitError(f"its aliases (*name) expand to nesting deeper than {MAX_DEPTH} levels; write the values out")
            size[key] = (nodes, chars, depth)
            continue
        if key in size:
            continue
        if key in on_path:
            mark = node.start_mark
            raise _LimitError(f"an alias refers to a value that contains it (line {mark.line + 1}); a value cannot contain itself")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def load_yaml_text(text: str, source: str) -> Any:
    """Parse ``text`` with the limits above; ``ConfigError`` naming ``source`` on any problem."""
    try:
        return yaml.load(text, Loader=BoundedLoader)  # BoundedLoader is a SafeLoader
    except _LimitError as exc:
        raise ConfigError(f"{source} is refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {' '.join(str(exc).split())}; fix the line it names") from None
    except RecursionError:
        raise ConfigError(f"{source} is refused: it nests too deeply to read; a config nests a few levels") from None


def read_yaml(path: str | Path, what: str = "config") -> Any:
    """Read the YAML file ``path`` (UTF-8, a BOM allowed), at most ``MAX_YAML_BYTES``."""
    path = Path(path)
    with path.open("rb") as stream:
        data = stream.read(MAX_YAML_BYTES + 1)
    if len(data) > MAX_YAML_BYTES:
        raise ConfigError(
            f"{what} file {path} is larger than {MAX_YAML_BYTES // 1024} KB, far beyond any job config; "
            "check that it is the file you meant"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save the {what} as UTF-8") from None
    return load_yaml_text(text, str(path))
