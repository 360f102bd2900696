"""The investigational product and its genetic modification."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Fact, Positive, Quantity, Record, Text


class VectorElement(Fact):
    name: str
    description: Text


class Vector(Record):
    """The gene-transfer vector or construct (a fact, because it decides RCL/VCN/LTFU needs)."""

    name: str
    kind: Literal["lentiviral", "gammaretroviral", "aav", "adenoviral", "plasmid", "mrna", "transposon", "other"]
    integrating: bool
    replication_incompetent: bool = True
    generation: str | None = None
    elements: list[VectorElement]
    transgenes: list[Text]
    supplier: str  # id of an organisation in sponsor.organisations
    lot: str
    master_file: str | None = None  # e.g. a BB-MF number cross-referenced by a letter of authorization


class Storage(Fact):
    condition: Text  # "in the vapour phase of liquid nitrogen (≤ −150 °C)"
    max_temperature_c: float
    label_text: Text  # the storage sentence printed on labels, IB, protocol


class Product(Record):
    code: str
    name: Text
    short_name: Text
    description: Text
    product_type: Literal["cell-therapy", "gene-modified-cell-therapy", "gene-therapy", "biologic", "small-molecule"]
    autologous: bool
    dosage_form: Text
    route: Text
    route_code: str  # a controlled word compared across documents, e.g. "intravenous"
    dose_unit: Literal["cells/kg", "cells", "mg/kg", "mg"]
    concentration: Text
    container: Text
    fill_volume_ml: Positive
    storage: Storage
    shelf_life: Quantity  # cryopreserved storage
    in_use_time: Quantity  # after thaw, before administration
    mechanism: Text
    indication: Text
    phase: Literal["1", "1/2", "2", "3"]
    vector: Vector | None = None
    caution_statement: Text  # 21 CFR 312.6(a) investigational labeling statement
    autologous_statement: Text | None = None
    substance_name: str = Field(description="eCTD 3.2.S 'substance' attribute")
    manufacturer_id: str  # organisation id of the drug product manufacturer
