"""Keys of the public product metadata this service writes to Saleor and the storefront reads.

Catalog sync writes them on every product it pushes; the storefront groups carts and confirmations by
unit and shows provenance from them, so a page needs no extra lookup. Values are strings (Saleor
metadata); JSON-valued keys hold a compact JSON object.
"""

UNIT_ID = "wenchuang.unit_id"  # str(Unit.pk)
UNIT_SLUG = "wenchuang.unit_slug"  # str(Unit.uid): units have no slug field; the uid is stable and public
UNIT_NAME_ZH = "wenchuang.unit_name_zh"
UNIT_NAME_EN = "wenchuang.unit_name_en"
AGREEMENT_VERSION = "wenchuang.agreement_version"  # str(AgreementVersion.pk) in force when last synced
LISTING_ID = "wenchuang.listing_id"  # this service's listing pk
# JSON: {"object": title, "accession": no., "era": ..., "relation": "reproduction|adaptation|inspired_by",
#        "designer": name, "story_zh": ..., "story_en": ...}
PROVENANCE = "wenchuang.provenance"
# JSON: {"licensor_unit": name, "valid_until": "YYYY-MM-DD"} when an IP licence is in force
LICENCE = "wenchuang.licence"
