"""Order projection, per-unit order lines and fulfilment."""
