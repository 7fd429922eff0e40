"""The web application and HTTP API (``cablekit serve``).

Modules, each with one job:

==============  ======================================================================
``app``         the application: routes mounted, security headers, errors as pages
                or JSON (never a stack trace)
``state``       what lives as long as the server: the archive path, one store per
                thread, the signing key, the clock
``auth``        who is asking: sessions kept in the archive, CSRF tokens, sign-in,
                API tokens
``limits``      failed sign-ins counted in the archive, per address and account
``pages``       the HTML pages: search, cable, diff, graph, sign-in
``api``         the JSON API under ``/api/v1``
``present``     cable fields turned into what a reader understands (plain times, post
                names, tag descriptions, banner colours, citations)
``svg``         the timeline chart and the citation graph, drawn on the server
==============  ======================================================================

Pages work without JavaScript; ``static/app.js`` only adds small conveniences. Every
string from a cable is escaped by Jinja2's autoescaping, and the Content Security
Policy allows no inline script or style.
"""

from .app import create_app

__all__ = ["create_app"]
