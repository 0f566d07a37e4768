"""The project-scoped API routes, read from the URL conf: what the isolation matrix walks.

Nothing here is listed by hand, so an endpoint added later (a router route, an `@action`, a plain
`re_path`) is covered without touching the tests; a route the walker cannot understand fails loudly.
"""

import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.permissions import required_scopes_for

PROJECT_MARKER = "projects/(?P<project_id>"
OBJECT_KWARGS = ("pk", "id")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")  # HEAD/OPTIONS follow GET/metadata
_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


class RouteWalkError(AssertionError):
    pass


@dataclass(frozen=True)
class Route:
    name: str
    regex: str
    callback: object
    view_class: type
    methods: tuple[tuple[str, str | None], ...]  # (HTTP method, viewset action or None)
    object_kwarg: str | None  # "pk"/"id" on detail routes

    @property
    def detail(self) -> bool:
        return self.object_kwarg is not None

    def url(self, project_id, object_id=None) -> str:
        values = {"project_id": project_id, self.object_kwarg: object_id}
        path = _GROUP.sub(lambda m: str(values[m.group(1)]), self.regex)
        path = path.replace("^", "").replace("$", "").replace("/?", "/")
        if not re.fullmatch(r"[\w/@.:-]+", path):
            raise RouteWalkError(f"cannot build a URL from {self.regex!r} (got {path!r})")
        url = "/" + path
        if resolve(url).func is not self.callback:
            raise RouteWalkError(f"{url} does not resolve back to route {self.name}")
        return url


@dataclass(frozen=True)
class Case:
    route: Route
    method: str
    action: str | None

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.route.name}"

    def required_scopes(self) -> list[str] | None:
        """What a personal API key needs for this case: the permission class's own rule, on a bare view."""
        view = self.route.view_class()
        view.action = self.action
        return required_scopes_for(view, SimpleNamespace(method=self.method.upper()))


def _walk(patterns, prefix=""):
    for pattern in patterns:
        regex = prefix + pattern.pattern.regex.pattern
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, regex)
        elif isinstance(pattern, URLPattern):
            yield regex, pattern


def _methods(callback) -> tuple[tuple[str, str | None], ...]:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a ViewSet route: its own method → action map (DRF adds "head" at runtime)
        return tuple((method, action) for method, action in actions.items() if method in HTTP_METHODS)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        raise RouteWalkError(f"{callback!r}: a plain function view under /projects/ cannot be walked")
    return tuple((method, None) for method in HTTP_METHODS if hasattr(view_class, method))


def project_routes() -> list[Route]:
    routes = []
    for regex, pattern in _walk(get_resolver().url_patterns):
        if PROJECT_MARKER not in regex:
            continue
        callback = pattern.callback
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view_class is None:
            raise RouteWalkError(f"route {regex!r}: not a class-based view, cannot derive its methods")
        kwargs = set(_GROUP.findall(regex)) - {"project_id"}
        unknown = kwargs - set(OBJECT_KWARGS)
        if unknown or len(kwargs) > 1:
            raise RouteWalkError(
                f"route {regex!r}: unknown URL kwargs {sorted(kwargs)}; teach tests/security/routes.py"
            )
        methods = _methods(callback)
        if not methods:
            raise RouteWalkError(f"route {regex!r} has no HTTP methods")
        routes.append(
            Route(
                name=pattern.name or regex,
                regex=regex,
                callback=callback,
                view_class=view_class,
                methods=methods,
                object_kwarg=next(iter(kwargs), None),
            )
        )
    return routes


def project_cases() -> list[Case]:
    return [
        Case(route=route, method=method, action=action)
        for route in project_routes()
        for method, action in route.methods
    ]
