"""Rebuild the embedded example data from ../shared/data (byte-for-byte reproducible).

Usage: python scripts/build_example_data.py [SHARED_DATA_DIR]
"""
from sufficiency.data.build import main

if __name__ == "__main__":
    raise SystemExit(main())
