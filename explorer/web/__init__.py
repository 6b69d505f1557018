"""The web layer: thin blueprints that parse a request, call the domain layer, render."""
