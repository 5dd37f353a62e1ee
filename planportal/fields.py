"""A guard every service that takes `**changes` uses: a field it does not know is a programming error."""


def known_fields(changes, allowed, function: str) -> None:
    """Raise TypeError naming `function` and the unknown names, like Python does for a bad keyword."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"{function}() got unknown fields: {', '.join(sorted(unknown))}")
