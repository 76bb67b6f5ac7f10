"""Following a lookup path (``"commune__county__voivodeship"``) on objects instead of in SQL."""


def key_along(obj, path: str):
    """The key that the path's last relation holds, reached from ``obj`` through the relations
    before it: ``key_along(institution, "commune__county__voivodeship")`` is the code of the
    institution's voivodeship. None when a relation on the way is empty. Works on unsaved and
    just-edited instances too; reads each related object as Django does (a query unless it is
    cached or selected)."""
    *steps, last = path.split("__")
    for step in steps:
        if obj is None or getattr(obj, f"{step}_id", None) is None:
            return None
        obj = getattr(obj, step)
    return getattr(obj, f"{last}_id", None) if obj is not None else None
