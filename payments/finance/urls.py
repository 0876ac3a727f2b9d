from django.contrib.auth.decorators import login_required
from django.urls import path
from graphene_django.views import GraphQLView

from payments.finance.schema import schema

app_name = "finance_api"

urlpatterns = [
    # Session-authenticated (CSRF-protected); scoping by role happens in every resolver.
    path("graphql", login_required(GraphQLView.as_view(schema=schema, graphiql=True)), name="graphql"),
]
