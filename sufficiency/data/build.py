"""Build the embedded example data from the DfE source files, byte for byte reproducibly.

``python -m sufficiency.data.build /path/to/shared/data`` (or ``scripts/build_example_data.py``)
reads the DfE files described in ``shared/data/README.md`` and writes compact tidy gzipped CSVs into
``sufficiency/data/example/``. The same sources always give the same bytes: rows are sorted,
numbers are written as integers where they are whole, the line ending is ``\\n``.

Contains public sector information licensed under the Open Government Licence v3.0.
Source: Department for Education.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataWarning
from . import dfe, highneeds, population, s251, single_age
from .vocabulary import PROVISIONS

__all__ = ["EXAMPLE_DIR", "ATTRIBUTION", "build_tables", "write_tables", "to_csv_bytes", "main"]

EXAMPLE_DIR = Path(__file__).resolve().parent / "example"
ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence "
               "v3.0. Source: Department for Education.\n" + population.ONS_ATTRIBUTION)


def build_tables(source_dir) -> dict[str, pd.DataFrame]:
    """Read every source file and return the tidy tables to embed, keyed by file stem.

    Parameters
    ----------
    source_dir : str or Path
        The ``shared/data`` folder (holding ``dfe-sen2-2022/``, ``dfe-sen2-2025/``,
        ``dfe-la/`` and ``dfe-high-needs/``).

    Returns
    -------
    dict of DataFrame
        ``las``, ``neighbours``, ``history_age``, ``placements``, ``placements_age``, ``needs``, ``new_plans``,
        ``caseload_single_age``, ``new_plans_age``, ``new_plan_needs``, ``ceased``, ``requests``,
        the high-needs money tables (:func:`sufficiency.data.highneeds.build_high_needs_extract`) and
        ``s251_high_needs`` (:func:`sufficiency.data.s251.build_s251_extract`).
    """
    src = Path(source_dir)
    s22, s25 = src / "dfe-sen2-2022", src / "dfe-sen2-2025"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # missing cells stay NaN in the extract
        age22 = dfe.read_age_caseload(s22 / "sen2_age_caseload.csv")
        age25 = dfe.read_caseload_by_age(s25 / "caseload.csv")
        place = dfe.read_placement_caseload(s25 / "caseload.csv")
        place_age = dfe.read_placement_by_age(s25 / "caseload.csv")
        needs = dfe.read_need_caseload(s25 / "sen_needs_all_plans.csv")
        new = dfe.read_new_plans(s25 / "newplans.csv")
        new_age = dfe.read_age_new_plans(s22 / "sen2_age_new_plans.csv")
        new_need = dfe.read_new_plan_needs(s25 / "sen_need_newplans.csv")
        ceased = dfe.read_ceased_plans(s25 / "ceased_plans.csv")
        requests = dfe.read_requests(s25 / "requests.csv")
        single = single_age.read_caseload_by_single_age(s25 / "caseload.csv")

    tables = {
        "las": _las(src, age22, place),
        "neighbours": _neighbours(src),
        "history_age": _history(age22, age25, place),
        "placements": _slim(place[place["provision"] != "all"].assign(
            count=lambda d: d["count"]), ["provision"]),
        "placements_age": _slim(place_age, ["age_band", "provision"]),
        "needs": _slim(needs, ["need", "age_band", "provision"]),
        "new_plans": _slim(new, ["provision"]),
        "new_plans_age": _slim(new_age, ["age_band"]),
        "new_plan_needs": _slim(new_need, ["need"]),
        "ceased": _slim(ceased, ["reason"]),
        "requests": _slim(requests, ["measure"]),
        # single ages: all plans and the placements SCAP counts (what SCAP ageing needs)
        "caseload_single_age": _slim(single[single["provision"].isin(
            ["all", *PROVISIONS.loc[PROVISIONS["scap_type"].notna(), "provision"]])],
            ["age", "provision"]),
    }
    totals = place[place["provision"] == "all"][["la_code", "year", "count"]]
    tables["placements"] = pd.concat([tables["placements"],
                                      totals.assign(provision="all")[tables["placements"].columns]])
    tables["placements"] = _sort(tables["placements"], ["provision"])
    extract = highneeds.build_high_needs_extract(src / "dfe-high-needs", las=tables["las"])
    tables.update(extract)
    tables.update(_s251_tables(src, tables["las"]))
    tables.update(population.build_population_tables(src / "ons-population", tables["las"]))
    return tables


def _s251_tables(src: Path, las: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The section 251 high-needs outturn series (:mod:`sufficiency.data.s251`)."""
    return {s251.TABLE: s251.build_s251_extract(src / "dfe-s251-high-needs", las=las)}


def write_tables(tables: dict[str, pd.DataFrame], out_dir=EXAMPLE_DIR) -> dict[str, str]:
    """Write the tables as gzipped CSV and return ``{file name: sha256 of the CSV text}``.

    The gzip header carries no file name or time (``mtime=0``), so the bytes depend only on
    the data (and the zlib version); the test compares the decompressed CSV text.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.csv"):
        old.unlink()
    digests = {}
    for name in sorted(tables):
        data = to_csv_bytes(tables[name])
        path = out_dir / f"{name}.csv.gz"
        path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        digests[path.name] = hashlib.sha256(data).hexdigest()
    (out_dir / "ATTRIBUTION.txt").write_text(ATTRIBUTION + "\n", encoding="utf-8")
    return digests


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV bytes with whole floats written as integers and NaN as an empty cell."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            whole = values.dropna()
            if (whole == np.round(whole)).all():
                out[column] = values.astype("Int64")
    return out.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def _slim(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """LA and national rows only, without level/name columns (they live in ``las``).

    ``year`` is the census year throughout: for the flow tables (``new_plans``,
    ``new_plans_age``, ``new_plan_needs``, ``ceased``, ``requests``) the January the calendar
    year's flows lead up to (:mod:`sufficiency.data.dfe`); the readers of
    :mod:`sufficiency.data.example` add the published ``calendar_year`` back."""
    keep = frame[frame["level"].isin(["la", "national"])]
    return _sort(keep[["la_code", "year"] + keys + ["count"]], keys)


def _sort(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(["la_code", "year"] + keys, kind="stable").reset_index(drop=True)


def _history(age22: pd.DataFrame, age25: pd.DataFrame, place: pd.DataFrame) -> pd.DataFrame:
    """Published counts by age band, 2010-2025: the newer release wins where both publish.

    Totals 2019-2025 come from the 2025 release (its revised Jan 2024 figure included); totals
    2010-2018 and age bands 2010-2022 from the 2022 release; age bands 2024-2025 from the 2025
    release. 2023 age bands were not published and are left out here (estimated on read).
    """
    old = _slim(age22, ["age_band"]).assign(source="sen2-2022")
    new_bands = _slim(age25[age25["age_band"] != "all"], ["age_band"]).assign(source="sen2-2025")
    totals = place[(place["provision"] == "all") & place["level"].isin(["la", "national"])]
    new_totals = totals[["la_code", "year", "count"]].assign(age_band="all", source="sen2-2025")
    new = pd.concat([new_bands, new_totals])
    key = ["la_code", "year", "age_band"]
    old = old[~old.set_index(key).index.isin(new.set_index(key).index)]
    out = pd.concat([old, new[old.columns]])
    return _sort(out, ["age_band"])


def _las(src: Path, age22: pd.DataFrame, place: pd.DataFrame) -> pd.DataFrame:
    codes = pd.read_excel(src / "dfe-la" / "la_code_list.xlsx", dtype={"LA Number": str})
    codes = codes.dropna(subset=["LA Number"])
    codes = codes.rename(columns={"LA Number": "la_code", "LA Name": "list_name",
                                  "Region": "region", "Type": "la_type"})
    codes["la_code"] = codes["la_code"].str.strip().str.zfill(3)
    rows = []
    for frame, new_col in ((age22, None), (place, None)):
        la = frame[frame["level"] == "la"]
        rows.append(la[["la_code", "la_name", "year"]])
    seen = pd.concat(rows)
    span = seen.groupby("la_code")["year"].agg(first_year="min", last_year="max")
    latest = seen.sort_values(["la_code", "year"]).groupby("la_code").tail(1)
    out = latest[["la_code", "la_name"]].merge(span, on="la_code")
    new_codes = _latest_new_codes(src)
    out = out.merge(new_codes, on="la_code", how="left")
    out = out.merge(codes[["la_code", "region", "la_type"]], on="la_code", how="left")
    out = pd.concat([out, pd.DataFrame([{"la_code": "E92000001", "la_name": "England",
                                         "first_year": 2010, "last_year": 2025,
                                         "new_la_code": "E92000001", "region": "England",
                                         "la_type": "country"}])])
    columns = ["la_code", "new_la_code", "la_name", "region", "la_type", "first_year",
               "last_year"]
    return out[columns].sort_values("la_code").reset_index(drop=True)


def _latest_new_codes(src: Path) -> pd.DataFrame:
    frames = []
    for path in (src / "dfe-sen2-2022" / "sen2_age_caseload.csv",
                 src / "dfe-sen2-2025" / "caseload.csv"):
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                          usecols=["time_period", "geographic_level", "old_la_code",
                                   "new_la_code"])
        raw = raw[raw["geographic_level"] == "Local authority"]
        frames.append(raw.assign(time_period=raw["time_period"].str[:4].astype(int)))
    raw = pd.concat(frames).sort_values(["old_la_code", "time_period"], kind="stable")
    raw["la_code"] = raw["old_la_code"].str.zfill(3)
    return raw.groupby("la_code").tail(1)[["la_code", "new_la_code"]]


def _neighbours(src: Path) -> pd.DataFrame:
    raw = pd.read_excel(src / "dfe-la" / "sn_may_2025.xlsx", header=None, skiprows=3)
    rows = []
    for _, r in raw.iterrows():
        if pd.isna(r.iloc[0]):
            continue
        code = str(int(r.iloc[0])).zfill(3)
        for rank in range(10):
            neighbour, closeness = r.iloc[5 + 2 * rank], r.iloc[6 + 2 * rank]
            if pd.notna(neighbour):
                rows.append((code, rank + 1, str(int(neighbour)).zfill(3), str(closeness)))
    out = pd.DataFrame(rows, columns=["la_code", "rank", "neighbour_code", "closeness"])
    return out.sort_values(["la_code", "rank"]).reset_index(drop=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print("usage: python -m sufficiency.data.build [SHARED_DATA_DIR]")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    source = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    if not source.is_dir():
        print(f"error: {source} is not a folder; expected the shared/data folder", file=sys.stderr)
        return 2
    digests = write_tables(build_tables(source))
    for name, digest in digests.items():
        size = (EXAMPLE_DIR / name).stat().st_size
        print(f"{name:28s} {size:>9,d} bytes  sha256 {digest[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
