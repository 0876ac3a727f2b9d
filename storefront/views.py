"""Public pages: thin views, one Saleor request at most per page, catalog reads cached."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.addresses import client_address
from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.error_codes import CampaignError
from core import clock
from core.cart_session import CHECKOUT_KEY, cart_owns
from orders.labels import ORDER_STATUS, label
from orders.links import ORDER_LINK_SALT, order_link_path
from search import selectors as search_selectors
from storefront import presenters, search_page, selectors, services
from storefront.accounts import (
    customer_login,
    customer_logout,
    customer_of,
    customer_query,
    customer_register,
    customer_token,
)
from storefront.catalog_cache import fragment
from storefront.context_processors import CART_COUNT_KEY
from storefront.error_codes import StorefrontError
from storefront.forms import AddToCartForm, ContactForm, DeliveryForm, LineUpdateForm, LoginForm, RegisterForm
from storefront.money import money_format
from storefront.parcels import unshippable_messages
from storefront.services import CheckoutProblem


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _grid(data: dict, connection: dict | None) -> str:
    """The product grid of a cached listing, rendered once per process and language."""
    language = _language()

    def render() -> str:
        context = {
            "products": presenters.cards(connection, language),
            "page": (connection or {}).get("pageInfo"),
        }
        return render_to_string("storefront/_cards.html", context)

    return fragment(data, language, render)


@require_GET
def home(request):
    data = selectors.home_get()
    return render(
        request,
        "storefront/home.html",
        {
            "units": selectors.units_featured(),
            "grid": _grid(data, data.get("products")),
            "categories": presenters.categories(data.get("categories"), _language()),
        },
    )


@require_GET
def unit_shop(request, unit_id: int):
    unit = selectors.unit_get_public(unit_id=unit_id)
    if unit is None:
        raise Http404
    after = _cursor(request.GET.get("after", ""))
    data = selectors.products_find(selectors.ProductQuery(unit_id=str(unit.pk), after=after))
    products = data.get("products") or {}
    return render(
        request,
        "storefront/unit.html",
        {"unit": unit, "grid": _grid(data, products)},
    )


@require_GET
def category(request, slug: str):
    data = selectors.category_get(slug=slug, after=_cursor(request.GET.get("after", "")))
    found = data.get("category")
    if found is None:
        raise Http404
    products = found.get("products") or {}
    return render(
        request,
        "storefront/category.html",
        {
            "category": presenters.category_page(found, _language()),
            "grid": _grid(data, products),
            "total": products.get("totalCount"),
        },
    )


def _global_id(value: str, type_name: str) -> str:
    """A Saleor global id of this type, or "" (a malformed one would make Saleor fail the query)."""
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return ""
    return value if decoded.startswith(f"{type_name}:") else ""


def _cursor(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except ValueError:
        return ""
    return value[:200]


@require_GET
def search(request):
    """Results from this service's search index (facets, sorting); no results suggest the nearest terms."""
    query = search_page.query_from(request.GET)
    result = search_selectors.search(query)
    language = _language()
    nearest = search_selectors.nearest_terms(query.text) if query.text and not result.total else []
    return render(
        request,
        "storefront/search.html",
        {
            "query": query,
            "result": result,
            "products": search_page.cards(result.hits, language),
            "facets": search_page.facets(result, query, request.GET, language),
            "sorts": search_page.sorts(request.GET, result.sort),
            "pages": search_page.pages(request.GET, result),
            "nearest": nearest,
            "filtered": any(request.GET.get(p) for p in search_page.PARAMS if p not in {"q", "sort"}),
        },
    )


@require_GET
def search_suggest(request):
    """Suggestions as one types (JSON for the search box's script; the form works without it)."""
    found = search_selectors.suggest(request.GET.get("q", "")[:50])
    english = _language().startswith("en")
    products = [
        {
            "name": (english and p["name_en"]) or p["name_zh"],
            "url": reverse("storefront:product", args=[p["slug"]]),
        }
        for p in found["products"]
    ]
    terms = [
        {"term": t["term"], "url": reverse("storefront:search") + "?" + urlencode({"q": t["term"]})}
        for t in found["terms"]
    ]
    response = JsonResponse({"terms": terms, "products": products})
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def product(request, slug: str):
    found = selectors.product_get(slug=slug)
    if found is None:
        raise Http404
    return render(
        request,
        "storefront/product.html",
        {"product": presenters.product_page(found, _language()), "messages_inline": _flash(request)},
    )


@require_GET
def campaign(request, uid):
    """A crowdfunding campaign: progress, days left (Beijing days), tiers and their stock, the unit's updates.
    Its figures are cached in Redis until a paid backing or a checkout's reservation changes them."""
    data = campaign_selectors.campaign_public(uid)
    if data is None:
        raise Http404
    english = _language().startswith("en")

    def pick(zh: str, en: str) -> str:
        return en if english and en else zh

    progress = data["progress"]
    return render(
        request,
        "storefront/campaign.html",
        {
            "campaign": data,
            "title": pick(data["title_zh"], data["title_en"]),
            "story": pick(data["story_zh"], data["story_en"]),
            "unit_name": pick(data["unit_name_zh"], data["unit_name_en"]),
            "progress": progress,
            "bar": min(progress.percent, 100),
            "raised": money_format(_fen(progress.raised), language=_language()),
            "goal": money_format(_fen(progress.goal), language=_language())
            if progress.goal_kind == "amount"
            else None,
            "days_left": campaign_selectors.days_left_until(data["ends_at"], clock.now()),
            "tiers": [
                {
                    **t,
                    "name": pick(t["name_zh"], t["name_en"]),
                    "price": money_format(_fen(t["price_fen"]), language=_language()),
                }
                for t in data["tiers"]
            ],
            "updates": [
                {"at": u["posted_at"], "body": pick(u["body_zh"], u["body_en"])} for u in data["updates"]
            ],
            "messages_inline": _flash(request),
        },
    )


def _fen(amount: int) -> dict:
    return {"currency": "CNY", "fractionalAmount": amount, "fractionDigits": 2}


def _checkout(request) -> dict | None:
    checkout_id = request.session.get(CHECKOUT_KEY)
    if not checkout_id:
        return None
    checkout = selectors.checkout_get(checkout_id=checkout_id)
    if checkout is None:
        request.session.pop(CHECKOUT_KEY, None)
    request.session[CART_COUNT_KEY] = (checkout or {}).get("quantity") or 0
    return checkout


def _problem_page(request, problem: CheckoutProblem, back: str):
    for message in problem.messages:
        request.session.setdefault("sf_flash", []).append(message)
    request.session.modified = True
    return redirect(back)


def _flash(request) -> list[str]:
    # Only touch the session when it exists: a cookieless visitor costs no session query.
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return []
    return request.session.pop("sf_flash", [])


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("storefront:cart")
    if not form.is_valid():
        return _problem_page(
            request, CheckoutProblem(codes=[services.StorefrontError.QUANTITY_INVALID]), back
        )
    try:
        request.session[CHECKOUT_KEY] = services.cart_add(
            checkout_id=request.session.get(CHECKOUT_KEY),
            variant_id=form.cleaned_data["variant"],
            quantity=form.cleaned_data["quantity"],
            token=customer_token(request.session),
        )
    except CheckoutProblem as problem:
        return _problem_page(request, problem, back)
    request.session[CART_COUNT_KEY] = request.session.get(CART_COUNT_KEY, 0) + form.cleaned_data["quantity"]
    return redirect("storefront:cart")


@require_POST
def cart_update(request):
    form = LineUpdateForm(request.POST)
    checkout_id = request.session.get(CHECKOUT_KEY)
    if not checkout_id:
        return redirect("storefront:cart")
    if not form.is_valid():
        problem = CheckoutProblem(codes=[services.StorefrontError.QUANTITY_INVALID])
        return _problem_page(request, problem, reverse("storefront:cart"))
    try:
        services.cart_line_update(
            checkout_id=checkout_id, line_id=form.cleaned_data["line"], quantity=form.cleaned_data["quantity"]
        )
    except CheckoutProblem as problem:
        return _problem_page(request, problem, reverse("storefront:cart"))
    return redirect("storefront:cart")


@require_GET
def cart(request):
    checkout = _checkout(request)
    view = presenters.checkout_page(checkout, _language()) if checkout else None
    context = {
        "checkout": view,
        "messages_inline": _flash(request),
        "unshippable": unshippable_messages(checkout),
    }
    return render(request, "storefront/cart.html", context)


def checkout(request):
    """Contact and address (POST here), then the shipping method; one Saleor request per view."""
    checkout_id = request.session.get(CHECKOUT_KEY)
    if not checkout_id:
        return redirect("storefront:cart")
    form = None
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.checkout_contact_set(
                    checkout_id=checkout_id, email=form.cleaned_data["email"], address=form.saleor_address()
                )
                return redirect(reverse("storefront:checkout") + "#delivery")
            except CheckoutProblem as problem:
                for saleor_field, message in problem.by_field.items():
                    form.add_error(form.field_for(saleor_field), message)
                if not problem.by_field:
                    form.add_error(None, " ".join(problem.messages))
        status = 400
    else:
        status = 200
    found = selectors.checkout_get(checkout_id=checkout_id)
    if found is None or not found.get("lines"):
        request.session.pop(CHECKOUT_KEY, None)
        return redirect("storefront:cart")
    if form is None:
        customer = customer_of(request.session) or {}
        initial = ContactForm.initial_from(found)
        initial.setdefault("email", customer.get("email", ""))
        if not initial["email"]:
            initial["email"] = customer.get("email", "")
        form = ContactForm(initial=initial)
    view = presenters.checkout_page(found, _language())
    return render(
        request,
        "storefront/checkout.html",
        {
            "checkout": view,
            "form": form,
            "messages_inline": _flash(request),
            "unshippable": unshippable_messages(found),
        },
        status=status,
    )


@require_POST
def checkout_delivery(request):
    checkout_id = request.session.get(CHECKOUT_KEY)
    form = DeliveryForm(request.POST)
    if not checkout_id:
        return redirect("storefront:cart")
    back = reverse("storefront:checkout") + "#delivery"
    if not form.is_valid():
        problem = CheckoutProblem(codes=[services.StorefrontError.SHIPPING_METHOD_INVALID])
        return _problem_page(request, problem, back)
    try:
        services.checkout_delivery_set(checkout_id=checkout_id, method_id=form.cleaned_data["method"])
    except CheckoutProblem as problem:
        return _problem_page(request, problem, back)
    return redirect("storefront:pay")


def pay(request):
    """The payment step: GET shows the summary; POST hands the buyer to the payments app's card page."""
    checkout_id = request.session.get(CHECKOUT_KEY)
    if not checkout_id:
        return redirect("storefront:cart")
    found = selectors.checkout_get(checkout_id=checkout_id)
    if request.method == "POST":
        # a campaign's reward tiers are taken here, before paying: a sold-out tier is refused, never oversold
        lines = [(ln["variant"]["id"], ln["quantity"]) for ln in (found or {}).get("lines") or []]
        try:
            campaign_services.tiers_reserve(checkout_ref=checkout_id, lines=lines)
        except CampaignError as error:
            request.session.setdefault("sf_flash", []).append(error.message)
            request.session.modified = True
            return redirect("storefront:cart")
        return redirect(reverse("payments_gateway:payment-page") + "?" + urlencode({"checkout": checkout_id}))
    if found is None:
        request.session.pop(CHECKOUT_KEY, None)
        return redirect("storefront:cart")
    view = presenters.checkout_page(found, _language())
    if not view["ready_to_pay"]:
        return redirect("storefront:checkout")
    return render(request, "storefront/pay.html", {"checkout": view, "messages_inline": _flash(request)})


def order_link(request, order_id: str) -> str:
    return request.build_absolute_uri(order_link_path(order_id))


def _order_placed(request, order: dict):
    """The cart is done: forget it, mail the buyer the signed order link, show the order."""
    for key in (CHECKOUT_KEY, CART_COUNT_KEY):
        request.session.pop(key, None)
    link = order_link(request, order["id"])
    send_mail(
        _("Your order %(number)s") % {"number": order["number"]},
        _("Thank you for your order. See it at any time here:\n%(link)s") % {"link": link},
        None,
        [order["userEmail"]],
    )
    return redirect(link)


@require_GET
def checkout_paid(request):
    """Back from the payments app: only this session's checkout, and only the order made from it."""
    checkout_id = request.GET.get("checkout", "")
    if not cart_owns(request.session, checkout_id=checkout_id):
        return redirect("storefront:cart")
    order_id = _global_id(request.GET.get("order", "")[:200], "Order")
    found = selectors.order_get(order_id=order_id) if order_id else None
    # The link in the query string is the buyer's to edit: the order itself must name this checkout.
    if found is None or found.get("checkoutId") != checkout_id:
        raise Http404
    return _order_placed(request, found)


def _order_of_link(token: str) -> str:
    """The order id the buyer's signed link names (404 when forged or expired)."""
    try:
        return signing.loads(
            token, salt=ORDER_LINK_SALT, max_age=settings.STOREFRONT_ORDER_LINK_DAYS * 86400
        )["order"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise Http404 from exc


def _backings(order_id: str) -> list[dict]:
    """The campaigns the order backs, whether the backer may still ask for a refund, and what was asked."""
    now = clock.now()
    rows = []
    for campaign in campaign_services.order_backings(order_id):
        asked = campaign.backer_refunds.filter(order_ref=order_id).order_by("-pk").first()
        rows.append(
            {
                "uid": campaign.uid,
                "title": campaign.title_en
                if _language() == "en" and campaign.title_en
                else campaign.title_zh,
                "state": campaign.get_state_display(),
                "may_ask": campaign.state == "live"
                and now < campaign.ends_at
                and (asked is None or asked.status in ("refused", "failed")),
                "asked": asked.get_status_display() if asked else "",
            }
        )
    return rows


@require_POST
def order_backing_refund(request, token: str, campaign):
    """The backer asks, on their order page, for their backing of a running campaign back in full."""
    order_id = _order_of_link(token)
    found = next((c for c in campaign_services.order_backings(order_id) if str(c.uid) == str(campaign)), None)
    if found is None:
        raise Http404
    try:
        campaign_services.backer_refund_request(
            campaign=found, order_ref=order_id, reason=request.POST.get("reason", "")
        )
    except CampaignError as error:
        request.session["sf_flash"] = [str(error.message)]
    else:
        request.session["sf_flash"] = [_("Asked: the unit decides, and you will see its answer here.")]
    return redirect("storefront:order", token=token)


@require_GET
def order(request, token: str):
    order_id = _order_of_link(token)
    found = selectors.order_get(order_id=order_id)
    if found is None:
        raise Http404
    carriers = selectors.order_carriers(order=found)
    view = presenters.order_page(found, _language(), carriers=carriers)
    refunds = [
        presenters.parcel_refund(r, _language()) for r in selectors.order_parcel_refunds(order_id=order_id)
    ]
    return render(
        request,
        "storefront/order.html",
        {
            "order": view,
            "refunds": refunds,
            "backings": _backings(order_id),
            "token": token,
            "messages_inline": _flash(request),
        },
    )


def login(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_login(session=request.session, address=client_address(request), **form.cleaned_data)
            return redirect("storefront:account")
        except CheckoutProblem as problem:
            form.add_error(None, " ".join(problem.messages))
            if StorefrontError.LOGIN_THROTTLED in problem.codes:
                return render(request, "storefront/login.html", {"form": form}, status=429)
    return render(request, "storefront/login.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def logout(request):
    customer_logout(session=request.session)
    return redirect("storefront:home")


def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            needs_confirmation = customer_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["name"],
                # Saleor allows only its ALLOWED_CLIENT_HOSTS: our public URL, not the Host header.
                redirect_url=settings.APP_PUBLIC_URL + reverse("storefront:login"),
                language=_language(),
            )
            return render(request, "storefront/registered.html", {"needs_confirmation": needs_confirmation})
        except CheckoutProblem as problem:
            for field_name, message in problem.by_field.items():
                form.add_error(field_name if field_name in form.fields else None, message)
            if not problem.by_field:
                form.add_error(None, " ".join(problem.messages))
    return render(request, "storefront/register.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def account(request):
    data = customer_query(request.session, "StorefrontMe")
    me = (data or {}).get("me")
    if not me:
        return redirect(reverse("storefront:login"))
    nodes = [edge["node"] for edge in me["orders"]["edges"]]
    refunded = selectors.orders_refunded(order_ids=[node["id"] for node in nodes])
    orders = [
        {
            **node,
            "total": presenters.money_format(node["total"]["gross"], language=_language()),
            "status": label(ORDER_STATUS, node["status"]),
            "link": order_link(request, node["id"]),
            "refunded": presenters.minor_money(*refunded[node["id"]], _language())
            if node["id"] in refunded
            else "",
        }
        for node in nodes
    ]
    return render(request, "storefront/account.html", {"me": me, "orders": orders})


@require_GET
def sitemap(request):
    data = selectors.sitemap_get()
    base = request.build_absolute_uri("/").rstrip("/")
    urls = [reverse("storefront:home")]
    urls += [reverse("storefront:unit", args=[u.pk]) for u in selectors.units_public()]
    urls += [reverse("storefront:category", args=[e["node"]["slug"]]) for e in data["categories"]["edges"]]
    urls += [reverse("storefront:product", args=[e["node"]["slug"]]) for e in data["products"]["edges"]]
    return render(
        request,
        "storefront/sitemap.xml",
        {"entries": [(base + u, base + translate_url(u, "en")) for u in urls]},
        content_type="application/xml",
    )


@require_GET
def robots(request):
    sitemap_url = request.build_absolute_uri(reverse("storefront:sitemap"))
    private = "".join(f"Disallow: {p}\n" for p in ("/cart/", "/checkout/", "/account/", "/orders/"))
    body = f"User-agent: *\n{private}Sitemap: {sitemap_url}\n"
    return HttpResponse(body, content_type="text/plain")
