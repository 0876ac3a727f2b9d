"""Units, applications, operating entities, distribution agreements and provisioning."""
