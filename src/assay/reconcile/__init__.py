"""Reconcile: golden assets from many inventories, the coverage matrix and the access table."""
