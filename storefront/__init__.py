"""Public pages, cart and checkout on Saleor."""
