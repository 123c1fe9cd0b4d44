"""The reporting store, built on `koonto.shared.mongo.Store`: read-model generations (`generations`), the
read models of one generation with methods in domain words (`read_models`), and the bulk variant a replay
folds a new generation into (`bulk`)."""

from koonto.reporting.store.bulk import BulkReadModels
from koonto.reporting.store.checkpoints import CHECKPOINT_PREFIX, CHECKPOINTS, Checkpoint, Checkpoints
from koonto.reporting.store.generations import GENERATION_DOC, INITIAL_GENERATION, META_COLLECTION, Generations
from koonto.reporting.store.read_models import (
    COLLECTION_PREFIX,
    READ_MODELS,
    CaseIdentity,
    Document,
    ReadModels,
    collection_name,
    event_marker,
    merge_increments,
)
from koonto.reporting.store.reads import VALUE_FIELDS

__all__ = [
    "CHECKPOINTS",
    "CHECKPOINT_PREFIX",
    "COLLECTION_PREFIX",
    "GENERATION_DOC",
    "INITIAL_GENERATION",
    "META_COLLECTION",
    "READ_MODELS",
    "VALUE_FIELDS",
    "BulkReadModels",
    "CaseIdentity",
    "Checkpoint",
    "Checkpoints",
    "Document",
    "Generations",
    "ReadModels",
    "collection_name",
    "event_marker",
    "merge_increments",
]
