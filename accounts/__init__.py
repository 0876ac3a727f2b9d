"""Sign-in safety for every part of the service: login throttling, the second factor, the access trail."""
