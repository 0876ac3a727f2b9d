from django.contrib.auth.decorators import login_required
from django.urls import path
from graphene_django.views import GraphQLView

from core.csp import csp_allow, inline_script_hashes
from payments.finance.schema import schema

app_name = "finance_api"

# GraphiQL (graphene-django's page) loads its scripts and styles from jsDelivr, with SRI, and carries one
# inline script, which is allowed by its hash; CodeMirror inside it sets styles inline.
_GRAPHIQL_CDN = "https://cdn.jsdelivr.net"


def _graphiql_csp(request, response) -> dict[str, list[str]]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return {}
    return {
        "script-src": [_GRAPHIQL_CDN, *inline_script_hashes(response.content)],
        "style-src": [_GRAPHIQL_CDN, "'unsafe-inline'"],
        "font-src": [_GRAPHIQL_CDN, "data:"],
        "img-src": ["data:"],
    }


urlpatterns = [
    # Session-authenticated (CSRF-protected); scoping by role happens in every resolver.
    path(
        "graphql",
        csp_allow(_graphiql_csp)(login_required(GraphQLView.as_view(schema=schema, graphiql=True))),
        name="graphql",
    ),
]
