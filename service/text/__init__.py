"""Text preparation before extraction: furniture cleaning and article loading."""
