"""What runs one case: the case run and its effects, forms, users and access rules, the plan's
rows. It builds on the kernel only.
"""
