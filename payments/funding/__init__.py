"""Who funds a Saleor discount (platform, the unit, or both in bps): versioned terms, four eyes."""
