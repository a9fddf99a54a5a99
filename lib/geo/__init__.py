"""Geography: coordinate conversion, boundaries, map layers."""
