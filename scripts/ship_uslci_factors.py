"""Write src/pcfhub/data/factors/uslci_fy17.csv: curated cradle-to-gate factors from USLCI FY17.

The public U.S. Life Cycle Inventory database (USLCI), FY2017 release in openLCA JSON-LD 1.5,
is read, linked and solved by pcfhub's own LCI import (`pcfhub.lci.service.compute_release`,
docs/lci.md); nothing is written to a database. For each product picked below, one row in the
factor template gives the kg of each greenhouse gas and the kg CO2e (AR6) per unit of the
product, with a note on what the computation did: allocation, cut-offs, and the part of the
value that passes through two known weak spots of the linked release (see `_weak_spots`).

    .venv/bin/python scripts/ship_uslci_factors.py            # write the CSV
    .venv/bin/python scripts/ship_uslci_factors.py --check    # exit 1 if the CSV is stale

The release is looked up where the tests find the shared data (PCFHUB_SHARED_DIR, ../shared,
/work/shared) unless --release names it. tests/factors/test_shipped_uslci.py regenerates the
file and compares.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from pcfhub.factors import gwp
from pcfhub.factors.model import (
    Boundary,
    FactorData,
    Licence,
    Redistribution,
    Source,
    Traceability,
)
from pcfhub.factors.reference import REFERENCE_DATA
from pcfhub.factors.tabular import COLUMNS, GAS_COLUMNS, data_to_row
from pcfhub.lci.footprints import Footprints, compute_footprints
from pcfhub.lci.model import FlowKind
from pcfhub.lci.service import Computed, ImportOptions, compute_release

REPOSITORY = Path(__file__).resolve().parents[1]
RELEASE_FILE = "uslci_fy17_olca1_5_json_ld.zip"
OUTPUT = REFERENCE_DATA / "uslci_fy17.csv"
LAYOUT_FILE = REFERENCE_DATA / "cn_electricity.csv"  # the header this file follows
KEY_PREFIX = "pcfhub.uslci.fy17."
GWP_SET = "AR6"
DIGITS = 6  # significant digits of the per-gas amounts and of the value
NEGLIGIBLE = 1e-9  # a gas whose CO2e is below this share of the row's terms is left out
WORTH_NOTING = 0.005  # a part of the value worth a sentence in the note
DECLARED_CUT_OFF = ("CUTOFF", "Dummy")  # how USLCI names the flows it cuts off on purpose

COMMIT = "91824482b335d7db1b232d18dcc259301c4e42c9"
FOLDER = "downloads/uslci_fy17_q4_02_olca1_5_0_json_ld"
PUBLISHER = "U.S. DOE / NREL (USLCI)"
DOCUMENT = (
    "U.S. Life Cycle Inventory Database, FY2017 release (openLCA JSON-LD 1.5), via "
    "FLCAC-admin/uslci-content"
)
SOURCE_YEAR = 2017
URL = f"https://github.com/FLCAC-admin/uslci-content/tree/{COMMIT}/{FOLDER}"
LICENCE = "uslci-data-use-disclaimer"
# DATA-USE-DISCLAIMER.md of FLCAC-admin/uslci-content, in full: the agreement asks that the
# entire notice appears in all copies of the data, that modifications are identified and
# documented, and that DOE/NREL/Alliance is credited.
NOTICE = (
    'DATA USE DISCLAIMER AGREEMENT ("Agreement") '
    'These U.S. LCI Database Project data ("Data") are provided by the National Renewable '
    'Energy Laboratory ("NREL"), operated by the Alliance for Sustainable Energy, LLC '
    '("Alliance") for the US Department of Energy ("DOE") under Contract No. '
    'DE-AC36-08GO28308. The United States Government (the "Government") retains and the user '
    "acknowledges that the Government retains a non-exclusive, paid-up, irrevocable, worldwide "
    "license to publish or reproduce the published form of these data, or allow others to do "
    "so, for Government purposes. "
    "Access to and use of these Data shall impose the following obligations on the user, as "
    "set forth in this Agreement. The user is granted the right, without any fee or cost, to "
    "use, copy, modify, alter, enhance and distribute these Data for any purpose whatsoever, "
    "provided that this entire notice appears in all copies of the Data. Any modification, "
    "alteration or enhancement of these data shall be identified and documented by the user. "
    "Further, the user agrees to credit the DOE/NREL/Alliance in any publication that results "
    "from the use of these Data. The names DOE/NREL/Alliance, however, may not be used in any "
    "advertising or publicity to endorse or promote any products or commercial entities unless "
    "specific written permission is obtained from DOE/NREL/Alliance. The user also understands "
    "that DOE/NREL/Alliance is not obligated to provide the user with any support, consulting, "
    "training or assistance of any kind with regard to the use of these Data or to provide the "
    "user with any updates, revisions or new versions of these Data. "
    "YOU AGREE TO INDEMNIFY THE GOVERNMENT AND DOE/NREL/ALLIANCE, AND ITS SUBSIDIARIES, "
    "AFFILIATES, OFFICERS, AGENTS, AND EMPLOYEES AGAINST ANY CLAIM OR DEMAND, INCLUDING "
    "REASONABLE ATTORNEYS' FEES, RELATED TO YOUR USE OF THESE DATA. THESE DATA ARE PROVIDED BY "
    'DOE/NREL/ALLIANCE "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING BUT NOT LIMITED '
    "TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE "
    "DISCLAIMED. IN NO EVENT SHALL THE GOVERNMENT OR DOE/NREL/ALLIANCE BE LIABLE FOR ANY "
    "SPECIAL, INDIRECT OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER, INCLUDING BUT NOT "
    "LIMITED TO CLAIMS ASSOCIATED WITH THE LOSS OF DATA OR PROFITS, WHICH MAY RESULT FROM AN "
    "ACTION IN CONTRACT, NEGLIGENCE OR OTHER TORTIOUS CLAIM THAT ARISES OUT OF OR IN CONNECTION "
    "WITH THE ACCESS, USE OR PERFORMANCE OF THESE DATA."
)
ATTRIBUTION = (
    "Source: U.S. Life Cycle Inventory Database (USLCI), FY2017 release, National Renewable "
    "Energy Laboratory (NREL) / Alliance for Sustainable Energy, LLC, for the U.S. Department "
    "of Energy (DOE); credit DOE/NREL/Alliance. Modified by pcfhub: the unit-process data were "
    "linked and aggregated into cradle-to-gate greenhouse-gas footprints (documented in "
    "source_note and in pcfhub's docs/lci.md). The data are redistributed under the following "
    f"notice, in full: {NOTICE}"
)


@dataclass(frozen=True)
class Pick:
    """One USLCI product to ship, chosen by exact process name and id."""

    slug: str  # the lineage key is KEY_PREFIX + slug
    process_id: str
    process_name: str
    activity: str
    name_zh: str
    reason: str
    product: str | None = None  # a co-product's flow name; None: the reference product
    caveat: str | None = None  # what reading the dataset showed, added to the note


PICKS: tuple[Pick, ...] = (
    # Aluminium: the wheel, the battery pack's enclosure and the laptop's housing.
    Pick("aluminium_primary_ingot", "99963138-ddf9-3b32-9e93-69593d76cb08",
         "Aluminum, primary ingot, at plant", "material.aluminium.primary", "原铝锭",
         "primary aluminium, the main material of the wheel and the pack enclosure "
         "(Aluminum Association cradle-to-gate inventory, 2010)"),
    Pick("aluminium_secondary_ingot", "bcc68f88-debb-3fc3-93ee-5ceadcef0b14",
         "Aluminum, secondary ingot, at plant", "material.aluminium.secondary", "再生铝锭",
         "recycled aluminium, to show the effect of recycled content"),
    Pick("aluminium_ingot_mix", "a8eb9a6a-e8e6-3da6-a3ab-20dcf68e883a",
         "Aluminum ingot, production mix, at plant", "material.aluminium.ingot_mix",
         "铝锭（美国生产混合，原铝与再生铝）", "the U.S. primary/secondary ingot mix"),
    Pick("aluminium_extrusion", "77fe2197-8861-3569-8d85-07151789b1e7",
         "Aluminum, extrusion, at plant", "material.aluminium.extrusion", "铝挤压型材",
         "extruded profiles of the battery pack frame and of machine parts"),
    Pick("aluminium_sheet_hot_rolled", "381d3e3d-29ae-3101-a95b-56a4cec08486",
         "Aluminum, hot rolling, at plant", "material.aluminium.sheet.hot_rolled", "热轧铝板",
         "hot-rolled aluminium plate"),
    Pick("aluminium_sheet_cold_rolled", "2b196386-eb1a-352a-aeda-4d003144f6df",
         "Aluminum, cold rolling, at plant", "material.aluminium.sheet.cold_rolled", "冷轧铝板",
         "cold-rolled sheet of the laptop housing and the pack lid"),
    Pick("aluminium_casting", "ab2436bc-97db-3154-898e-2c49ca4b698e",
         "Semi-permanent mold (SPM) casting, aluminum", "material.aluminium.casting",
         "铝铸件（半永久型铸造）", "a permanent-mould aluminium casting, the closest USLCI "
         "process to a cast wheel",
         product="Aluminum, cast, semi-permanent mold (SPM), at plant"),
    # Steel and iron: the machine part and the pack housing.
    Pick("steel_sheet_hot_rolled", "bc251c04-d2b2-366f-af0c-99d8fc2ed467",
         "Hot rolled sheet, steel, at plant", "material.steel.sheet.hot_rolled", "热轧钢板",
         "hot-rolled steel for the machine part"),
    Pick("steel_sheet_cold_rolled", "c378e883-97fc-3714-b923-d7271b8fcbac",
         "Cold rolled sheet, steel, at plant", "material.steel.sheet.cold_rolled", "冷轧钢板",
         "cold-rolled steel for housings and brackets"),
    Pick("steel_billet", "ac54bc7d-5db5-3b4f-9175-5dd02f678312",
         "Steel, billets, at plant", "material.steel.billet", "钢坯",
         "billets for forged or machined parts"),
    Pick("steel_stainless_304", "49f5324b-fc33-36e9-b5af-3c80d73492bd",
         "Steel, stainless 304, flat rolled coil", "material.steel.stainless_304",
         "304不锈钢板卷", "stainless steel for equipment parts"),
    Pick("iron_casting", "076898a5-e1ce-3c50-9df4-6445fc0bb6aa",
         "Iron, sand casted", "material.iron.casting", "砂型铸铁件",
         "cast iron, the body of the machine part"),
    # Plastics: the laptop, the battery pack, packaging. The cradle-to-resin (CTR) datasets are
    # the publisher's own aggregated inventories; polypropylene's is not usable (its reference
    # product is its recovered energy), so its unit process is taken.
    Pick("abs", "0e42a306-ee2d-362e-8bc3-580000096459",
         "Acrylonitrile-butadiene-styrene copolymer resin, at plant, CTR",
         "material.plastic.abs", "ABS树脂", "laptop housing and keys"),
    Pick("hdpe", "ce38752e-c414-3175-9482-ce663a909a0c",
         "Polyethylene, high density, resin, at plant, CTR", "material.plastic.hdpe",
         "高密度聚乙烯（HDPE）树脂", "containers and crates"),
    Pick("ldpe", "ba5df01a-626b-35b8-859f-f1df42dd54a0",
         "Polyethylene, low density, resin, at plant, CTR", "material.plastic.ldpe",
         "低密度聚乙烯（LDPE）树脂", "film packaging"),
    Pick("pet", "e4822728-95ae-3360-9870-c363a214611e",
         "Polyethylene terephthalate, resin, at plant, CTR", "material.plastic.pet",
         "聚对苯二甲酸乙二醇酯（PET）树脂", "battery insulation film, bottles and trays"),
    Pick("pvc", "cfcb6755-e408-30e7-9ab6-165de9b7d11d",
         "Polyvinyl chloride, resin, at plant, CTR", "material.plastic.pvc",
         "聚氯乙烯（PVC）树脂", "cable insulation"),
    Pick("polystyrene", "13821cca-f344-37b9-a367-0467be778061",
         "Polystyrene, general purpose, at plant, CTR", "material.plastic.ps",
         "通用级聚苯乙烯（GPPS）树脂", "protective packaging"),
    Pick("polypropylene", "1ba8424c-2bdb-353e-8ea4-5e8d3bd477b8",
         "Polypropylene, resin, at plant", "material.plastic.pp", "聚丙烯（PP）树脂",
         "battery module parts and crates",
         caveat="Unlike the other resins here (the publisher's cradle-to-resin aggregates), "
         "this is the unit-process chain, and its 'Propylene, at plant' dataset cuts off its "
         "feedstocks ('CUTOFF Natural gas, processed, for olefins production, at plant, "
         "material use' and 'CUTOFF Petroleum refining, for olefins production, at plant, "
         "material use'): their extraction and processing are missing, so the value is low "
         "next to the other resins."),
    # New materials: a bio-based polymer and fibre-reinforced composites.
    Pick("pla", "e281027f-cf37-32f2-af55-234cb0cb4fa4",
         "Polylactide Biopolymer Resin, at plant", "material.plastic.pla",
         "聚乳酸（PLA）生物基树脂", "a new, bio-based material (biogenic carbon shown apart)"),
    Pick("unsaturated_polyester", "91c096d9-987d-34c6-90c0-3c672b467086",
         "Unsaturated polyester, resin, at plant", "material.resin.unsaturated_polyester",
         "不饱和聚酯树脂", "the matrix of a glass-fibre composite",
         product="Unsaturated polyester, resin, at plant"),
    Pick("e_glass", "2d50471f-ae3a-337b-9e53-6ff319e39b55",
         "E-glass, at plant", "material.glass.e_glass", "E玻璃（玻璃纤维用）",
         "the fibre of a glass-fibre composite"),
    # Minerals.
    Pick("portland_cement", "62993671-574c-3fc5-b66a-6be3bb21ad3d",
         "Portland cement, at plant", "material.cement.portland", "硅酸盐水泥",
         "cement for foundations and equipment bases"),
    Pick("quicklime", "9c0c2415-126f-3162-8479-f002f315a8c7",
         "Quicklime, at plant", "material.lime.quicklime", "生石灰",
         "lime for metallurgy, water treatment and soil"),
    Pick("limestone", "49e563d8-0cea-3f97-96b8-15787be48b91",
         "Limestone, at mine", "material.limestone", "石灰石（开采）",
         "ground limestone to lime the soil of the farm product"),
    # Chemicals and fertilisers: methanol, hydrogen, the farm product's inputs.
    Pick("methanol", "1e5b1ac8-2464-394e-b20b-b5753fe3ebfb",
         "Methanol, at plant", "chemical.methanol", "甲醇（轻烃蒸汽重整）",
         "the methanol demo (steam reforming of light hydrocarbons)"),
    Pick("hydrogen", "4eaec911-05e8-304e-b7a6-98ce06fc9820",
         "Hydrogen, liquid, synthesis gas, at plant", "chemical.hydrogen",
         "氢气（液态，合成气制）", "hydrogen from synthesis gas"),
    Pick("nitrogen_fertiliser", "dacaeae9-aeed-3366-912d-6a31de09eef9",
         "Nitrogen fertilizer, production mix, at plant", "fertiliser.nitrogen",
         "氮肥（生产混合）", "nitrogen fertiliser of the chilli, tea or citrus farm",
         caveat="The dataset says it is adapted from European data (IDEMAT 2001) and gives "
         "1 kg of 'Nitrogen fertilizer, production mix' as its product without saying whether "
         "per kg of product or of N."),
    Pick("phosphate_fertiliser", "1654c887-0b9c-3434-b9c1-371e3adb3dde",
         "Phosphorous fertilizer, production mix, at plant", "fertiliser.phosphate",
         "磷肥（生产混合）", "phosphate fertiliser of the farm product",
         caveat="The dataset says it is adapted from European data (IDEMAT 2001) and gives "
         "1 kg of 'Phosphorous fertilizer, production mix' as its product without saying "
         "whether per kg of product or of P2O5."),
    # Fuels and heat.
    Pick("natural_gas_processed", "018446d9-d9dd-3755-89ee-7e7603e7b14a",
         "Natural gas, processed, at plant", "fuel.natural_gas.processed",
         "天然气（处理后，出厂）", "natural gas production, feedstock and fuel"),
    Pick("natural_gas_boiler_heat", "5b81b61c-4d10-3bed-9926-8a5f868f5174",
         "Natural gas, combusted in industrial boiler", "heat.natural_gas.industrial_boiler",
         "天然气（工业锅炉燃烧，含上游）", "process heat, supply and combustion together"),
    Pick("crude_oil", "e53e0de4-6c90-3519-850b-eb670f2c641b",
         "Crude oil, extracted", "fuel.crude_oil", "原油（开采）",
         "crude oil production (refined fuels are not shipped: see the README)"),
    Pick("bituminous_coal", "317adcbc-b3e3-3ec3-80c3-82b18d0f3207",
         "Bituminous coal, at mine", "fuel.coal.bituminous", "烟煤（矿山出厂）",
         "coal supply, the feedstock of coal-based chemistry"),
    # Packaging.
    Pick("corrugated_board", "b785ae21-be47-3b62-a0b7-638a13c6c1ea",
         "Corrugated Product", "packaging.corrugated_board", "瓦楞纸制品",
         "the shipping box of every demo product", product="Corrugated Product"),
    # Freight transport, per t*km.
    Pick("truck_diesel", "34156f3c-28ef-33db-9ad0-6293a2aa0d52",
         "Transport, combination truck, diesel powered", "transport.truck.diesel",
         "柴油牵引式货车运输", "road freight, the general case"),
    Pick("truck_long_haul_diesel", "a685da05-1a42-3fe1-a68b-6db458be5e07",
         "Transport, combination truck, long-haul, diesel powered",
         "transport.truck.long_haul.diesel", "柴油牵引式货车长途运输", "long-haul road freight"),
    Pick("truck_short_haul_diesel", "711ab26a-94a2-33f9-89da-560c55808297",
         "Transport, single unit truck, short-haul, diesel powered",
         "transport.truck.short_haul.diesel", "柴油单体货车短途运输",
         "local delivery, e.g. from the farm to the packing house"),
    Pick("rail_diesel", "7de9c230-fd0f-3478-be87-f80181132faa",
         "Transport, train, diesel powered", "transport.rail.diesel", "柴油机车铁路运输",
         "rail freight"),
    Pick("barge", "099c3d09-08a3-3cac-9ffd-0558c12033b9",
         "Transport, barge, average fuel mix", "transport.barge", "内河驳船运输（平均燃料）",
         "inland waterway freight, e.g. on the Yangtze from Chongqing"),
    Pick("ocean_freighter_diesel", "da0f5501-f4ab-32d1-80b7-b70d143608f6",
         "Transport, ocean freighter, diesel powered", "transport.ship.ocean.diesel",
         "远洋货轮运输（柴油）", "export by sea"),
    Pick("ocean_freighter_residual_fuel_oil", "f85fcdde-6c6b-3bbb-8efc-de6cb34c9ac7",
         "Transport, ocean freighter, residual fuel oil powered",
         "transport.ship.ocean.residual_fuel_oil", "远洋货轮运输（残渣燃料油）",
         "export by sea on heavy fuel oil"),
    Pick("air_freight", "61ff7eba-1846-30cb-9840-33939ee0dc26",
         "Transport, aircraft, freight", "transport.air.freight", "航空货运",
         "air freight of electronics"),
    # End of life: USLCI FY17 has no landfill or incineration process; collection is here.
    Pick("refuse_truck_diesel", "16d56c2f-7a14-33c1-863d-baecbc1b5170",
         "Transport, refuse truck, diesel powered", "waste.collection.truck.diesel",
         "柴油垃圾收运车运输", "collection of waste for treatment"),
)  # fmt: skip


def shared_release() -> Path:
    """The FY17 JSON-LD release in the shared data folder (as tests/support/shared.py finds it)."""
    candidates = [REPOSITORY.parent / "shared", Path("/work/shared")]
    if os.environ.get("PCFHUB_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["PCFHUB_SHARED_DIR"]))
    folder = next((path for path in candidates if path.is_dir()), candidates[0])
    return folder / "data" / "uslci" / RELEASE_FILE


def significant(amount: float) -> float:
    return float(f"{amount:.{DIGITS}g}")


def percent(part: float, whole: float) -> str:
    return f"{100 * part / abs(whole):.1f} %" if whole else "n/a"


def listed(names: Iterable[str], limit: int = 4, *, quote: bool = True) -> str:
    """'a'; 'b' and N more."""
    names = list(names)
    shown = "; ".join(f"'{name}'" if quote else name for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dataclass(frozen=True)
class Release:
    """A computed release and the footprints with each weak spot cut out."""

    computed: Computed
    allocation: dict[str, str]  # process id → method pcfhub applied
    reference_only: dict[int, str]  # provider column → process id, "reference product only"
    cut_off_links: dict[int, str]  # provider column of a declared cut-off flow → process id
    # footprints with the inputs from some provider columns cut off, computed when asked
    cache: dict[tuple[int, ...], Footprints] = dataclasses.field(default_factory=dict)

    @property
    def footprints(self) -> Footprints:
        return self.computed.footprints

    def without(self, columns: Iterable[int]) -> Footprints:
        """The footprints with every input from the provider ``columns`` cut off."""
        key = tuple(sorted(columns))
        if key not in self.cache:
            self.cache[key] = _cut(self.computed, key)
        return self.cache[key]


def _cut(computed: Computed, columns: Sequence[int]) -> Footprints:
    """The footprints with every input from ``columns`` cut off (their own output kept)."""
    rows, cols, values = computed.linked.technosphere
    keep = ~(np.isin(rows, list(columns)) & (rows != cols))
    technosphere = (rows[keep], cols[keep], values[keep])
    linked = dataclasses.replace(computed.linked, technosphere=technosphere)
    return compute_footprints(computed.inventory, linked, gwp_set=GWP_SET)


def compute(release: Path) -> Release:
    """Read, link and solve the release with pcfhub's LCI import; nothing is written."""
    # The rows' source and licence are set in _factor; these only name the release.
    options = ImportOptions(
        database="USLCI",
        release="FY17",
        publisher=PUBLISHER,
        document=DOCUMENT,
        year=SOURCE_YEAR,
        url=URL,
        licence=LICENCE,
        redistribution=Redistribution.ATTRIBUTION,
        gwp_set=GWP_SET,
    )
    computed = compute_release(release, options, lambda done, total, message: None)
    inventory, linked = computed.inventory, computed.linked
    allocation = {a.process_id: a.method for a in linked.allocations}
    reference_only = {
        i: p.process_id for i, p in enumerate(linked.providers)
        if allocation.get(p.process_id) == "reference product only"
    }  # fmt: skip
    cut_off_links = {
        i: p.process_id for i, p in enumerate(linked.providers)
        if inventory.flows[p.flow_id].name.startswith(DECLARED_CUT_OFF)
    }  # fmt: skip
    return Release(computed, allocation, reference_only, cut_off_links)


def _column(release: Release, pick: Pick) -> int:
    inventory, linked = release.computed.inventory, release.computed.linked
    process = inventory.processes.get(pick.process_id)
    if process is None or process.name != pick.process_name:
        found = process.name if process else "nothing"
        raise SystemExit(f"{pick.slug}: process {pick.process_id} is {found!r}, not "
                         f"{pick.process_name!r}; update the pick.")  # fmt: skip
    wanted = pick.product
    for i, provider in enumerate(linked.providers):
        if provider.process_id != process.id:
            continue
        flow = inventory.flows[provider.flow_id]
        is_reference = process.reference is not None and process.reference.flow_id == flow.id
        if flow.name == wanted or (wanted is None and is_reference):
            return i
    raise SystemExit(f"{pick.slug}: {pick.process_name!r} provides no {wanted or 'reference'} "
                     "product in the linked release.")  # fmt: skip


def _supply_chain(release: Release, column: int) -> np.ndarray:
    """The provider columns the product's supply chain reaches (itself included)."""
    technosphere = sparse.csr_array(release.footprints.lca.system.technosphere_matrix)
    graph = sparse.csr_array(technosphere.T != 0)  # column j → the providers it takes from
    return breadth_first_order(graph, column, return_predecessors=False)


def _gases(release: Release, column: int) -> dict[str, float]:
    """kg of each gas, rounded, without negligible gases (see NEGLIGIBLE)."""
    footprints = release.footprints
    weights = gwp.gwp100(GWP_SET)
    amounts = dict(zip(footprints.gases, footprints.per_gas[column].tolist(), strict=True))
    scale = sum(abs(amount * weights[gas]) for gas, amount in amounts.items())
    kept = {
        gas: significant(amount) for gas, amount in amounts.items()
        if abs(amount * weights[gas]) > NEGLIGIBLE * scale
    }  # fmt: skip
    negative = {gas: amount for gas, amount in kept.items() if amount < 0}
    if negative:  # a removal is a positive amount taken up; a negative one needs a look
        raise SystemExit(f"column {column}: negative gas amounts {negative}; check the pick.")
    return kept


def _allocation_note(release: Release, column: int, chain: np.ndarray) -> str:
    inventory, linked = release.computed.inventory, release.computed.linked
    process = inventory.processes[linked.providers[column].process_id]
    method = release.allocation.get(process.id)
    if method is None:
        own = "single-output process"
    elif method == "reference product only":
        own = (
            "multi-output process that pcfhub cannot allocate (no allocation factors, "
            "co-products in different units), so all of its burdens are on this product; "
            f"{_dropped_products(release, process.id)}"
        )
    else:
        own = f"multi-output process, allocated {method} over its co-products"
    upstream = {linked.providers[j].process_id for j in chain.tolist() if j != column}
    upstream.discard(process.id)
    if not upstream:
        return (f"Allocation: {own}. No input of it is linked to another process of the "
                "release (an aggregated dataset, or its inputs are cut off).")  # fmt: skip
    methods = Counter(release.allocation[p] for p in upstream if p in release.allocation)
    counted = ", ".join(f"{n} {m}" for m, n in sorted(methods.items()))
    chain_note = f"; multi-output processes among them: {counted}" if counted else ""
    return (
        f"Allocation: {own}. Its supply chain in the release: {len(upstream)} other "
        f"process(es){chain_note} (pcfhub's rules: docs/lci.md#allocation)."
    )


def _dropped_products(release: Release, process_id: str) -> str:
    """The co-products of a "reference product only" process that got no column, with their
    amounts per the process's output of its reference product."""
    inventory, linked = release.computed.inventory, release.computed.linked
    process = inventory.processes[process_id]
    kept = {p.flow_id for p in linked.providers if p.process_id == process_id}
    amounts: dict[str, tuple[float, str]] = {}
    for exchange in process.exchanges:
        flow = inventory.flows[exchange.flow_id]
        if exchange.is_input or flow.kind is not FlowKind.PRODUCT or flow.id in kept:
            continue
        before = amounts.get(flow.name, (0.0, flow.unit))[0]
        amounts[flow.name] = (before + exchange.amount, flow.unit)
    items = [f"'{name}' {amount:.3g} {unit}" for name, (amount, unit) in sorted(amounts.items())]
    reference = process.reference
    per = (
        f" (per {reference.amount:.3g} {inventory.flows[reference.flow_id].unit} of its "
        "reference product)"
        if reference
        else ""
    )
    return f"products without a share{per}: {listed(items, 8, quote=False)}"


def _weak_spots(release: Release, column: int, chain: np.ndarray, value: float) -> list[str]:
    """Sentences on the parts of the value that come through the release's weak spots.

    (1) Multi-output processes upstream whose co-products are in different units and carry no
    allocation factors: pcfhub puts all their burdens on the reference product. The refineries
    ("Crude oil, in refinery", "Petroleum refining, at refinery") are such: diesel is their
    reference product, so everything using diesel carries the whole refinery. (2) Declared
    cut-off flows (CUTOFF …) that one dataset outputs as a co-product: pcfhub links other
    datasets' inputs of those flows to it, an artefact that should add nothing.
    """
    inventory, linked = release.computed.inventory, release.computed.linked
    own = linked.providers[column].process_id
    in_chain = {linked.providers[j].process_id for j in chain.tolist()}
    sentences = []
    parts: list[tuple[float, str]] = []
    for pid in sorted(in_chain & set(release.reference_only.values()) - {own}):
        columns = [c for c, p in release.reference_only.items() if p == pid]
        part = value - float(release.without(columns).co2e[column])
        if abs(part) >= WORTH_NOTING * abs(value):
            process = inventory.processes[pid]
            reference = (
                inventory.flows[process.reference.flow_id].name if process.reference else "?"
            )
            text = (f"'{process.name}' (reference product '{reference}'; {part:.4g} kg, "
                    f"{percent(part, value)}; {_dropped_products(release, pid)})")  # fmt: skip
            parts.append((part, text))
    if parts:
        described = "; ".join(text for _, text in sorted(parts, reverse=True))
        sentences.append(
            "Overstated part: some of the value comes through upstream multi-output processes "
            "that pcfhub cannot allocate (no allocation factors, co-products in different "
            "units), so that all their burdens go to their reference product; the part through "
            f"each is overstated by the share its other products should carry: {described}."
        )
    links: list[str] = []
    for pid in sorted(in_chain & set(release.cut_off_links.values())):
        columns = [c for c, p in release.cut_off_links.items() if p == pid]  # those flows only
        part = value - float(release.without(columns).co2e[column])
        if abs(part) >= WORTH_NOTING * abs(value):
            links.append(f"{part:.4g} kg CO2e ({percent(part, value)}) from inputs of "
                         f"declared cut-off flows that pcfhub links to "
                         f"'{inventory.processes[pid].name}', which outputs them")  # fmt: skip
    if links:
        sentences.append(f"Linking artefact, should be zero: {'; '.join(links)}.")
    return sentences


def _cut_off_note(release: Release, chain: np.ndarray) -> str:
    inventory, linked = release.computed.inventory, release.computed.linked
    names: set[str] = set()
    for process_id in {linked.providers[j].process_id for j in chain.tolist()}:
        for exchange in inventory.processes[process_id].exchanges:
            flow = inventory.flows[exchange.flow_id]
            unlinked = (flow.kind is FlowKind.PRODUCT and exchange.is_input) or (
                flow.kind is FlowKind.WASTE and not exchange.is_input
            )
            if unlinked and flow.id in linked.cut_off:
                names.add(flow.name)
    declared = sorted(n for n in names if n.startswith(DECLARED_CUT_OFF))
    other = sorted(n for n in names if not n.startswith(DECLARED_CUT_OFF))
    if not names:
        return "Cut-offs: none; every input in the supply chain has a provider in the release."
    text = (f"Cut-offs: {len(names)} flow(s) in the supply chain are inputs without a provider "
            f"or wastes without a treatment in the release, and are left out: {len(declared)} "
            "that USLCI cuts off on purpose (CUTOFF/Dummy flows)")  # fmt: skip
    if other:
        text += f" and {len(other)} other(s): {listed(other, 6)}"
    return text + "; whatever they carry is missing from the value."


def _biogenic_note(gases: dict[str, float], value: float) -> str | None:
    emitted = gases.get("co2_biogenic_emission", 0.0)
    taken = gases.get("co2_biogenic_removal", 0.0)
    if max(emitted, taken) < 0.01 * abs(value):
        return None
    without = significant(value - emitted + taken)
    return (
        f"Biogenic CO2: {emitted:g} kg emitted and {taken:g} kg taken up in the supply chain as "
        "the data give them; the value counts the emission at +1 and the uptake at -1 "
        f"(pcfhub's convention, reported apart per GB/T 24067); without biogenic CO2 it would "
        f"be {without:g} kg CO2e."
    )


def _factor(release: Release, pick: Pick) -> FactorData:
    column = _column(release, pick)
    base = release.computed.factors[column]
    if base is None:
        raise SystemExit(f"{pick.slug}: pcfhub cannot publish this product (its unit).")
    inventory, linked = release.computed.inventory, release.computed.linked
    provider = linked.providers[column]
    process = inventory.processes[provider.process_id]
    flow = inventory.flows[provider.flow_id]
    several = sum(p.process_id == process.id for p in linked.providers) > 1
    named = several and flow.name != process.name  # a co-product named apart from its process
    name_en = f"{process.name} — {flow.name}" if named else process.name
    gases = _gases(release, column)
    value = significant(gwp.co2e(gases, GWP_SET))
    chain = _supply_chain(release, column)
    exact = float(release.footprints.co2e[column])
    notes = [
        f"Computed, not published by USLCI: pcfhub's LCI import (docs/lci.md; "
        f"pcfhub.lci.service.compute_release) read the FY2017 openLCA JSON-LD release "
        f"(FLCAC-admin/uslci-content commit {COMMIT[:12]}, {FOLDER}), linked every process to "
        f"its providers and solved for the cradle-to-gate kg of each greenhouse gas per "
        f"{base.unit} of '{flow.name}' of process {process.id}; "
        "scripts/ship_uslci_factors.py wrote this row.",
        "Greenhouse gases: elementary flows mapped by pcfhub's src/pcfhub/data/lci/"
        "ghg_flows.csv (emissions to air; CO2 taken from air as a biogenic removal); value = "
        f"sum of gas x GWP100 {GWP_SET} (src/pcfhub/data/gwp.toml); amounts rounded to "
        f"{DIGITS} significant digits, gases below {NEGLIGIBLE:g} of the total left out.",
        _allocation_note(release, column, chain),
        *_weak_spots(release, column, chain, exact),
        _cut_off_note(release, chain),
    ]
    if pick.caveat:
        notes.append(pick.caveat)
    biogenic = _biogenic_note(gases, value)
    if biogenic:
        notes.append(biogenic)
    if process.year is None:
        notes.append(f"The dataset states no year of validity; reference_year is the "
                     f"release's ({SOURCE_YEAR}).")  # fmt: skip
    notes.append("U.S. data: in pcfhub's demos an illustrative proxy for Chinese production, "
                 "not a Chinese factor.")  # fmt: skip
    table = f"Process '{process.name}', UUID {process.id}"
    if several:
        table += f"; co-product '{flow.name}'"
    description = (
        f"{base.description} Per {base.unit} of '{flow.name}'; dataset location "
        f"{process.location or 'not stated'}, data year {process.year or 'not stated'}. "
        f"Shipped for the demos: {pick.reason}. U.S. data: an illustrative proxy only for "
        "Chinese production."
    )
    return FactorData(
        lineage_key=KEY_PREFIX + pick.slug,
        name_zh=pick.name_zh,
        name_en=name_en,
        description=description,
        activity=pick.activity,
        value=value,
        unit=base.unit,
        gases=gases,
        gwp_set=GWP_SET,
        boundary=Boundary.CRADLE_TO_GATE,
        geography=base.geography,
        reference_year=base.reference_year,
        source=Source(
            publisher=PUBLISHER, document=DOCUMENT, table=table, year=SOURCE_YEAR, url=URL,
            traceability=Traceability.SECONDARY, note=" ".join(notes),
        ),
        licence=Licence(identifier=LICENCE, redistribution=Redistribution.ATTRIBUTION,
                        attribution=ATTRIBUTION),
    )  # fmt: skip


def build(release: Path) -> list[FactorData]:
    """The shipped factors, in the order of PICKS."""
    computed = compute(release)
    keys = [pick.slug for pick in PICKS]
    if len(set(keys)) != len(keys):
        raise SystemExit("two picks share a slug")
    return [_factor(computed, pick) for pick in PICKS]


def header(factors: Sequence[FactorData]) -> list[str]:
    """cn_electricity.csv's columns, plus the template's column of any further gas needed, in
    the template's order."""
    with LAYOUT_FILE.open(encoding="utf-8", newline="") as handle:
        layout = next(csv.reader(handle))
    if layout != [c for c in COLUMNS if c in layout]:
        raise SystemExit(f"{LAYOUT_FILE.name}: its header is not in the template's order.")
    needed = {gas.value for factor in factors for gas in factor.gases}
    return [c for c in COLUMNS if c in layout or (c in GAS_COLUMNS and c in needed)]


def render(factors: Sequence[FactorData]) -> str:
    """The CSV text (UTF-8, \\n line ends, floats in full)."""
    columns = header(factors)
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for factor in factors:
        row = data_to_row(factor)
        lost = [c for c, cell in row.items() if cell and c not in columns]
        if lost:
            raise SystemExit(f"{factor.lineage_key}: no column for {lost}")
        writer.writerow({c: row[c] for c in columns})
    return handle.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=None, help=f"path of {RELEASE_FILE}")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    release = args.release or shared_release()
    if not release.exists():
        print(f"{release} is missing (the shared USLCI data).", file=sys.stderr)
        return 2
    text = render(build(release))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run scripts/ship_uslci_factors.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(PICKS)} factors).")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(PICKS)} factors to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
