"""Dagster definitions of brandcare, one module per stage: lake, warehouse, publication, automation."""
