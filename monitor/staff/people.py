"""People as the staff's pages show them: by name with their e-mail on hover (a title) when a name is known (the
staff directory's, a staff account's, else the name Zoom gave), otherwise by their e-mail."""
from __future__ import annotations

from flask import g
from markupsafe import Markup

from ..current import services
from . import bp


def known_names() -> dict[str, str]:
    """Each e-mail's name from the staff directory, else from the staff's accounts; read once a request."""
    if "known_names" not in g:
        svc = services()
        names = {account.email: account.name for account in svc.accounts.all() if account.name != account.email}
        names.update({member.email: member.name for member in svc.config.staff.by_email.values() if member.name})
        g.known_names = names
    return g.known_names


def name_of(email: str | None, zoom_name: str | None = None) -> str | None:
    return (email and known_names().get(email)) or zoom_name or None


@bp.app_template_global("person")
def person(email: str | None, zoom_name: str | None = None, href: str | None = None) -> Markup:
    """Who, as a name whose title is the e-mail (a link when ``href`` is given); the e-mail when no name is known;
    the Zoom name, or nothing, when there is no e-mail."""
    name = name_of(email, zoom_name)
    shown = name or email or ""
    title = Markup(' title="{}"').format(email) if name and email else ""
    if href:
        return Markup('<a href="{}" class="person"{}>{}</a>').format(href, title, shown)
    if title:
        return Markup('<span class="person"{}>{}</span>').format(title, shown)
    return Markup("{}").format(shown)


def plain_name(email: str | None) -> str:
    """Who, in words without markup (a confirmation message): the name, else the e-mail."""
    return name_of(email) or email or "nobody"
