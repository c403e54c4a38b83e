"""Renderers: whole result in, text out. Transport (where the text goes) is elsewhere."""
