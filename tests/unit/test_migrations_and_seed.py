"""Migration file naming, and the Gurugram seed data: no database, just the files."""

import json
import re
from pathlib import Path

import pytest

from ops.seeding import STATION_COLUMNS, ZONE_COLUMNS, load_seed
from shared.migrate import MIGRATIONS, migration_files
from shared.mobile import normalise_mobile

STATION_CODE = re.compile(r"^[A-Z0-9-]{1,32}$")
DEVANAGARI = re.compile("[\u0900-\u097f]")
FAKE_MOBILE = re.compile(r"^\+9190000\d{5}$")


# --- migrations ---------------------------------------------------------------------------


def test_the_shipped_migrations_are_numbered_from_one_without_gaps() -> None:
    found = migration_files()

    assert found, "no migrations shipped"
    assert [version for version, _ in found] == list(range(1, len(found) + 1))


def test_the_shipped_migrations_are_well_named_sql_files_in_the_migrations_folder() -> None:
    for version, path in migration_files():
        assert path.parent == MIGRATIONS
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", path.name)
        assert int(path.name[:4]) == version
        assert path.read_text(encoding="utf-8").strip()


def test_every_sql_file_in_the_migrations_folder_is_picked_up() -> None:
    assert {path for _, path in migration_files()} == set(MIGRATIONS.glob("*.sql"))


def write(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text("SELECT 1;\n", encoding="utf-8")


def test_migrations_come_back_in_numeric_order_with_other_files_ignored(tmp_path: Path) -> None:
    write(tmp_path, "0010_tenth.sql", "0002_second.sql", "0001_first.sql")
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")

    assert [(v, p.name) for v, p in migration_files(tmp_path)] == [
        (1, "0001_first.sql"),
        (2, "0002_second.sql"),
        (10, "0010_tenth.sql"),
    ]


def test_an_empty_migrations_folder_has_nothing_to_apply(tmp_path: Path) -> None:
    assert migration_files(tmp_path) == []


@pytest.mark.parametrize(
    "bad_name",
    [
        "1_init.sql",
        "0001-init.sql",
        "0001_Init.sql",
        "0001_.sql",
        "init.sql",
        "00001_init.sql",
        "0001 init.sql",
    ],
)
def test_a_badly_named_migration_file_is_refused_before_anything_runs(
    tmp_path: Path, bad_name: str
) -> None:
    write(tmp_path, "0001_first.sql", bad_name)

    with pytest.raises(ValueError, match=re.escape(repr(bad_name))):
        migration_files(tmp_path)


def test_two_migrations_with_the_same_number_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "0001_first.sql", "0002_add_alerts.sql", "0002_add_rankings.sql")

    with pytest.raises(ValueError, match="two migrations numbered 2"):
        migration_files(tmp_path)


# --- seed data ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[list[dict], list[dict]]:
    return load_seed()


def test_station_codes_are_unique_and_valid(seed) -> None:
    _, stations = seed
    codes = [station["code"] for station in stations]

    assert len(codes) == len(set(codes))
    for code in codes:
        assert STATION_CODE.match(code), code


def test_sadar_where_the_scheme_launched_comes_first(seed) -> None:
    _, stations = seed

    assert stations[0]["code"] == "GGN-SADAR"
    assert "Sadar" in stations[0]["name_en"]


def test_the_four_police_districts_are_east_west_south_and_manesar(seed) -> None:
    zones, _ = seed

    assert [zone["code"] for zone in zones] == ["East", "West", "South", "Manesar"]


def test_every_station_belongs_to_a_zone_in_the_zones_file(seed) -> None:
    zones, stations = seed
    zone_codes = {zone["code"] for zone in zones}

    for station in stations:
        assert station["zone"] in zone_codes, station["code"]


def test_every_zone_has_at_least_one_station(seed) -> None:
    zones, stations = seed

    assert {zone["code"] for zone in zones} == {station["zone"] for station in stations}


def test_there_are_four_cyber_and_three_womens_stations_among_the_rest(seed) -> None:
    _, stations = seed
    kinds = [station["kind"] for station in stations]

    assert set(kinds) == {"police", "cyber", "women"}
    assert kinds.count("cyber") == 4
    assert kinds.count("women") == 3


def test_each_zone_has_its_own_cyber_station(seed) -> None:
    zones, stations = seed

    cyber_zones = sorted(s["zone"] for s in stations if s["kind"] == "cyber")

    assert cyber_zones == sorted(zone["code"] for zone in zones)


def test_every_station_row_has_exactly_the_columns_seeding_inserts(seed) -> None:
    _, stations = seed

    for station in stations:
        assert set(station) == set(STATION_COLUMNS), station["code"]
        for column in STATION_COLUMNS:
            assert isinstance(station[column], str), (station["code"], column)
            assert station[column].strip(), (station["code"], column)


def test_every_zone_row_has_exactly_the_columns_seeding_inserts(seed) -> None:
    zones, _ = seed

    for zone in zones:
        assert set(ZONE_COLUMNS) <= set(zone)
        assert set(zone) - set(ZONE_COLUMNS) == {"zone"}


def test_every_contact_is_a_placeholder_not_a_real_officer(seed) -> None:
    zones, stations = seed
    emails = [s["sho_email"] for s in stations]
    emails += [z[f"{rank}_email"] for z in zones for rank in ("acp", "dcp")]
    mobiles = [s["sho_mobile"] for s in stations]
    mobiles += [z[f"{rank}_mobile"] for z in zones for rank in ("acp", "dcp")]

    for email in emails:
        assert email.endswith("@example.invalid"), email
    for mobile in mobiles:
        assert FAKE_MOBILE.match(mobile), mobile


def test_every_placeholder_mobile_is_a_well_formed_indian_mobile(seed) -> None:
    zones, stations = seed
    mobiles = [s["sho_mobile"] for s in stations]
    mobiles += [z[f"{rank}_mobile"] for z in zones for rank in ("acp", "dcp")]

    for mobile in mobiles:
        assert normalise_mobile(mobile) == mobile
    assert len(mobiles) == len(set(mobiles))


def test_every_hindi_name_is_written_in_devanagari(seed) -> None:
    zones, stations = seed

    for row in [*zones, *stations]:
        assert DEVANAGARI.search(row["name_hi"]), row["code"]
        assert not DEVANAGARI.search(row["name_en"]), row["code"]


def test_a_zone_row_takes_its_code_from_its_zone_unless_it_has_one(tmp_path: Path) -> None:
    zones = [{"zone": "East", "name_en": "East"}, {"zone": "West", "code": "W", "name_en": "West"}]
    (tmp_path / "gurugram_zones.json").write_text(json.dumps(zones), encoding="utf-8")
    (tmp_path / "gurugram_stations.json").write_text("[]", encoding="utf-8")

    loaded_zones, loaded_stations = load_seed(tmp_path)

    assert [zone["code"] for zone in loaded_zones] == ["East", "W"]
    assert loaded_stations == []
