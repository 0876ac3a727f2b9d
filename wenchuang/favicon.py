"""/favicon.ico: browsers ask every site for it; a 404 there is an error in every page's console."""

from django.templatetags.static import static
from django.views.generic import RedirectView


class FaviconRedirect(RedirectView):
    """To the site's SVG icon, resolved per request (with fingerprinted static files the name is known only
    once collectstatic has run, so not at import)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("storefront/favicon.svg")
