"""Analysts' uploads: read CSV/XLSX extracts, check them, load them as reversible batches.

The upload page and ``python -m lib.ingest`` call the same functions: ``prepare_upload`` then
``load_prepared`` (dry run or real); ``rollback_batch`` and ``list_batches`` come from the warehouse.
"""
from lib.ingest.api import Outcome, load_prepared, prepare_upload
from lib.ingest.errors import IngestRefused
from lib.ingest.exports import export_problems_xlsx, neutralise_cell, neutralise_frame
from lib.ingest.headers import guess_dataset
from lib.ingest.pipeline import Prepared, prepare
from lib.ingest.readers import Limits
from lib.ingest.specs import DATASETS
from lib.ingest.templates import template_xlsx
from lib.warehouse.batches import RollbackRefused, list_batches, rollback_batch

__all__ = ["DATASETS", "IngestRefused", "Limits", "Outcome", "Prepared", "RollbackRefused",
           "export_problems_xlsx", "guess_dataset", "list_batches", "load_prepared",
           "neutralise_cell", "neutralise_frame", "prepare", "prepare_upload", "rollback_batch",
           "template_xlsx"]
