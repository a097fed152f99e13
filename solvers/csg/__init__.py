"""Search for the 2D CSG DSL: programs for a target picture, scored by IoU and Chamfer distance."""
