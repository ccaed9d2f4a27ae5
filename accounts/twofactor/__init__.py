"""Two-factor rules around allauth.mfa: staff must use it, lost devices, lock-outs."""
