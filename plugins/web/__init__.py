"""The dashboard: a web page (and JSON API) to see, hear and steer the house."""
