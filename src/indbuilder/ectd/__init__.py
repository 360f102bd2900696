"""eCTD v3.2.2 sequence assembly, lifecycle and validation for FDA and NMPA."""
