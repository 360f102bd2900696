"""The investigational product: its modality, identity, and the facts only some modalities have.

Which of the optional groups a product must give (``structure`` for a small molecule, ``protein`` for a
therapeutic protein, ``vector`` for a gene therapy, the cell fields for a cell therapy) follows from
``modality`` (see ``indbuilder.modalities``); the loader reports what a modality needs and is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field

from .common import Fact, Positive, Quantity, Record, Text

if TYPE_CHECKING:  # pragma: no cover
    from ..modalities import Modality


def _registered_modalities(value: list[str]) -> list[str]:
    # Modality names come from the modality registry (built-ins and plug-ins), never a fixed list.
    from .. import modalities

    known = modalities.names()
    for name in value:
        if name not in known:
            raise ValueError("must be one of " + ", ".join(f"'{n}'" for n in known) + f", got '{name}'")
    if len(set(value)) != len(value):
        raise ValueError("names a modality twice")
    return value


ModalityNames = Annotated[list[str], Field(min_length=1), AfterValidator(_registered_modalities)]


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
    supplier: str | None = None  # id of an organisation in sponsor.organisations (a vector made for ex vivo use)
    lot: str | None = None  # the vector lot used to modify cells (ex vivo); an in vivo vector is the drug substance
    master_file: str | None = None  # e.g. a BB-MF number cross-referenced by a letter of authorization


class Storage(Fact):
    condition: Text  # "in the vapour phase of liquid nitrogen (≤ −150 °C)"
    max_temperature_c: float
    label_text: Text  # the storage sentence printed on labels, IB, protocol


class ChemicalStructure(Fact):
    """Structure of a chemical drug substance (ICH M4Q 3.2.S.1.2); 3.2.S.1.2 draws it from the SMILES."""

    smiles: str
    inchi: str | None = None
    molecular_formula: str  # Hill order, e.g. C16H15F6N5O
    molecular_weight: Positive  # g/mol, average
    chemical_name: Text  # systematic (IUPAC) name
    stereochemistry: Text  # e.g. "one stereocentre, (R)-configuration; single enantiomer"
    salt_form: Text | None = None  # e.g. "phosphate monohydrate"; None for the free base/acid
    cas_number: str | None = Field(default=None, pattern=r"^\d{2,7}-\d{2}-\d$")


class ProteinFacts(Fact):
    """A therapeutic protein or monoclonal antibody (ICH Q6B 2.1: structure and characterisation)."""

    kind: Literal["monoclonal-antibody", "fusion-protein", "enzyme", "hormone", "cytokine", "other"]
    target: Text | None = None  # e.g. "human IL-23 p19"
    isotype: str | None = None  # e.g. "IgG1κ" for an antibody
    molecular_weight_kda: Positive
    expression_system: Text  # e.g. "Chinese hamster ovary (CHO-K1) cells"
    structure: Text  # chains, disulfide bonds, sequence notes
    glycosylation: Text  # N-glycosylation site(s) and main glycoforms
    variants: Text  # charge and size variants characterised


class Product(Record):
    code: str  # the product code printed on every document, e.g. "MCT-101"
    name: Text  # the full name, with the nonproprietary name and what the product is
    short_name: Text  # the name used in running text
    description: Text
    # Primary modality first: [cell-therapy, gene-therapy] is a genetically modified cell therapy.
    modality: ModalityNames
    dosage_form: Text
    route: Text
    route_code: str  # a controlled word compared across documents, e.g. "intravenous"
    # the unit every clinical dose is stated in; it must be a dose unit of the product's modality
    dose_unit: Literal["cells/kg", "cells", "mg/kg", "mg", "vg/kg", "vg"]
    strength: Text | None = None  # per unit: "25 mg per tablet", "100 mg/4 mL"
    concentration: Text | None = None  # cell or protein concentration of the drug product
    container: Text
    fill_volume_ml: Positive | None = None
    storage: Storage
    shelf_life: Quantity
    in_use_time: Quantity | None = None  # after thaw, dilution or opening, before administration
    mechanism: Text
    indication: Text
    phase: Literal["1", "1/2", "2", "3"]  # clinical phase of the first study; quoted in YAML: '1'
    autologous: bool | None = None  # cell therapies: the patient's own cells (True) or a donor's
    autologous_statement: Text | None = None
    vector: Vector | None = None
    structure: ChemicalStructure | None = None
    protein: ProteinFacts | None = None
    caution_statement: Text  # 21 CFR 312.6(a) investigational labeling statement
    substance_name: str = Field(description="eCTD 3.2.S 'substance' attribute")
    manufacturer_id: str  # organisation id of the drug product manufacturer

    @property
    def kind(self) -> "Modality":
        """The product's combined modality (``product.kind.has('cell-therapy')``, ``.fda_centre``)."""
        from ..modalities import resolve

        return resolve(self.modality)
