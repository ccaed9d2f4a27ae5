"""django.urls.reverse, kept per process (issue 19).

Reversing walks the URLconf's candidates and checks the result against the pattern:
about a hundred calls, and a console page asks some thirty times (fifty more on a
queue page, one per row), mostly for the same few URLs. The answer depends only on the
view, its arguments, the current application, the URLconf and the script prefix (no
route of ours is translated), so it is kept under those, the newest 8,192.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence

from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_kept(
    viewname: str | Callable,
    args: Sequence[object] = (),
    kwargs: dict[str, object] | None = None,
    current_app: str | None = None,
) -> str:
    # Each argument with its type: True and 1 are equal keys but not the same URL.
    key_args = tuple((type(arg), arg) for arg in args)
    key_kwargs = tuple(sorted((name, type(v), v) for name, v in (kwargs or {}).items()))
    try:
        return _reverse(
            viewname, key_args, key_kwargs, current_app, get_urlconf(), get_script_prefix()
        )
    except TypeError:  # an argument that cannot be a key (a list)
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)


@functools.lru_cache(maxsize=8192)
def _reverse(
    viewname: str | Callable,
    args: tuple[tuple[type, Hashable], ...],
    kwargs: tuple[tuple[str, type, Hashable], ...],
    current_app: str | None,
    urlconf: str | None,
    prefix: str,  # (reverse reads it itself: the key's is the active one)
) -> str:
    return reverse(
        viewname,
        urlconf=urlconf,
        args=[arg for _type, arg in args],
        kwargs={name: value for name, _type, value in kwargs},
        current_app=current_app,
    )
