"""Django's test client, sent through the public endpoints' lean path (sdk/gateway.py) as gunicorn sends
requests: paths the gateway serves never reach Django's handler, so tests see exactly what production
answers there. Other paths go to Django's test handler unchanged."""

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test.client import ClientHandler

_django_call = ClientHandler.__call__


def _call(self, environ):
    from sdk.gateway import request_path, respond, route

    path = request_path(environ)
    found = route(path)
    if found is None:
        return _django_call(self, environ)
    answer, headers, body = respond(environ, path, *found)
    response = HttpResponse(body, status=answer.status)
    del response["Content-Type"]
    for name, value in headers:
        response[name] = value
    response.wsgi_request = WSGIRequest(environ)
    return response


def install() -> None:
    ClientHandler.__call__ = _call
