"""Settlement: batches per party and period, payouts by Stripe transfer or bank file."""
