"""Wire types of communities, buildings and households."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import ExternalId, Stamp, text
from domain import places
from domain.places import format_area

Name = text(100, min_length=1, example="嘉富社区")
Address = text(200, example="嘉定区菊园新区嘉富路 88 弄")
DecisionRule = Literal["simple_majority", "two_thirds", "civil_code_ordinary", "civil_code_major"]
AreaText = Annotated[str, Meta(pattern=r"^\d{1,8}(\.\d{1,2})?$", examples=["89.50"])]
# "At most two decimals" is said to clients as multipleOf 0.01 (read in decimal, as JSON
# Schema validators do); the check itself is domain.places.parse_area, since msgspec would
# test it on the binary float and refuse 89.55.
AreaNumber = Annotated[float, Meta(ge=0, le=99999999.99, extra_json_schema={"multipleOf": 0.01})]


class Community(msgspec.Struct):
    id: Annotated[str, Meta(examples=["com_7k2m9q4x8r1t5v3w"])]
    name: Name
    external_id: ExternalId | None
    created_at: Stamp
    updated_at: Stamp


class CommunityCreate(Input):
    name: Name
    external_id: ExternalId | None = None


class CommunityUpdate(Input):
    name: Name | UnsetType = UNSET
    external_id: ExternalId | None | UnsetType = UNSET


class BuildingRules(msgspec.Struct):
    """The building's rules of procedure (议事规则)."""

    support_min_households: Annotated[int, Meta(examples=[3])]
    support_percent: Annotated[int, Meta(examples=[10])]
    collect_days: Annotated[int, Meta(examples=[14])]
    default_decision_rule: DecisionRule
    vote_min_hours: Annotated[int, Meta(examples=[24])]
    evaluation_days: Annotated[int, Meta(examples=[7])]


class BuildingRulesChange(Input):
    support_min_households: Annotated[int, Meta(ge=1, le=10_000)] | UnsetType = UNSET
    support_percent: Annotated[int, Meta(ge=0, le=100)] | UnsetType = UNSET
    collect_days: Annotated[int, Meta(ge=1, le=90)] | UnsetType = UNSET
    default_decision_rule: DecisionRule | UnsetType = UNSET
    vote_min_hours: Annotated[int, Meta(ge=1, le=720)] | UnsetType = UNSET
    evaluation_days: Annotated[int, Meta(ge=1, le=60)] | UnsetType = UNSET


class BuildingCounts(msgspec.Struct):
    households: Annotated[int, Meta(examples=[24])]


class Building(msgspec.Struct):
    id: Annotated[str, Meta(examples=["bld_3n8p2k5m7q9r4t6v"])]
    community_id: str
    name: Annotated[str, Meta(examples=["嘉富路 88 弄 3 号楼"])]
    address: Address
    compound_name: str | None
    floors: int | None
    units: int | None
    external_id: ExternalId | None
    rules: BuildingRules
    counts: BuildingCounts
    created_at: Stamp
    updated_at: Stamp


Floors = Annotated[int, Meta(ge=1, le=200, examples=[6])]
Units = Annotated[int, Meta(ge=1, le=100, examples=[2])]
CompoundName = text(100, example="嘉富苑")
BuildingName = text(100, min_length=1, example="3 号楼")


class BuildingCreate(Input):
    name: BuildingName
    address: Address = ""
    compound_name: CompoundName | None = None
    floors: Floors | None = None
    units: Units | None = None
    external_id: ExternalId | None = None
    rules: BuildingRulesChange | None = None


class BuildingUpdate(Input):
    name: BuildingName | UnsetType = UNSET
    address: Address | UnsetType = UNSET
    compound_name: CompoundName | None | UnsetType = UNSET
    floors: Floors | None | UnsetType = UNSET
    units: Units | None | UnsetType = UNSET
    external_id: ExternalId | None | UnsetType = UNSET
    rules: BuildingRulesChange | UnsetType = UNSET


UnitLabel = text(32, min_length=1, example="3-1-201")


class Household(msgspec.Struct):
    id: Annotated[str, Meta(examples=["hh_5t7v9x2b4d6f8h1k"])]
    community_id: str
    building_id: str
    unit_label: UnitLabel
    area_m2: Annotated[str, Meta(examples=["89.50"], description="Exclusive floor area, m², two decimals")]
    votes: bool
    external_id: ExternalId | None
    created_at: Stamp
    updated_at: Stamp


class HouseholdCreate(Input):
    unit_label: UnitLabel
    area_m2: AreaText | AreaNumber
    votes: bool = True
    external_id: ExternalId | None = None


class HouseholdUpdate(Input):
    unit_label: UnitLabel | UnsetType = UNSET
    area_m2: AreaText | AreaNumber | UnsetType = UNSET
    votes: bool | UnsetType = UNSET
    external_id: ExternalId | None | UnsetType = UNSET


# Models as wire types (one place, so the ETag of a GET and an If-Match agree).

def community_view(community: places.Community) -> Community:
    return Community(id=community.id, name=community.name, external_id=community.external_id,
                     created_at=community.created_at, updated_at=community.updated_at)


def building_view(building: places.Building) -> Building:
    return Building(
        id=building.id, community_id=building.community_id, name=building.name, address=building.address,
        compound_name=building.compound_name, floors=building.floors, units=building.units,
        external_id=building.external_id, rules=BuildingRules(**building.building_rules.to_stored()),
        counts=BuildingCounts(households=building.household_count),
        created_at=building.created_at, updated_at=building.updated_at,
    )


def household_view(household: places.Household) -> Household:
    return Household(
        id=household.id, community_id=household.community_id, building_id=household.building_id,
        unit_label=household.unit_label, area_m2=format_area(household.area_m2), votes=household.votes,
        external_id=household.external_id, created_at=household.created_at, updated_at=household.updated_at,
    )
