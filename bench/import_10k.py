"""Time the Excel import of a 10,000-row file (the size community workers call normal).

.venv/bin/python bench/import_10k.py [--rows 10000]
"""

import argparse
import random
import time
from datetime import date, timedelta
from io import BytesIO

from _django import setup

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=10_000)
args = parser.parse_args()
vendor = setup()

from django.core.files.base import ContentFile  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from linli.accounts.models import User  # noqa: E402
from linli.core import idcard  # noqa: E402
from linli.registry import excel, services  # noqa: E402
from linli.registry.generate import Generator, standard_compounds  # noqa: E402
from linli.registry.models import ImportJob, Place, PlaceKind, Resident  # noqa: E402

admin = User.objects.create_superuser("bench-admin", password="x-bench-pass-1")
gen = Generator(seed=7)
district = gen.root(kind=PlaceKind.DISTRICT, name="导入基准区", code="341190")
street = gen.child(district, kind=PlaceKind.STREET, name="导入街道", code="341190001", save=True)
rng = random.Random(7)
community, _grids = gen.community(
    street, name="导入社区", code="341190001001", compounds=standard_compounds(rng, 10), grid_count=11, target_residents=0
)
dwellings = list(Place.objects.filter(community=community, kind=PlaceKind.DWELLING).values_list("address", flat=True))

wb = Workbook()
ws = wb.active
ws.append(excel.header_labels())
rows = 0
h = 0
seq = {}
while rows < args.rows:
    h += 1
    compound, building, unit, room = dwellings[h % len(dwellings)].rsplit(" ", 3)
    for k in range(rng.choice((1, 2, 3, 3, 4))):
        if rows >= args.rows:
            break
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 30000))
        n = seq.get(born, 1) + 1
        seq[born] = n
        rel = "户主" if k == 0 else rng.choice(["配偶", "子女", "父母"])
        ws.append(
            [
                f"B{h:06d}",
                compound,
                building,
                unit,
                room,
                "张三丰"[: rng.choice((2, 3))],
                "",
                idcard.make("341103", born, n),
                f"139{rng.randint(0, 99_999_999):08d}",
                rel,
                "户籍人口",
                rng.choice(["", "", "", "党员", "志愿者"]),
            ]
        )
        rows += 1
buf = BytesIO()
wb.save(buf)
job = ImportJob.objects.create(
    community=community, created_by=admin, original_name="bench.xlsx", file=ContentFile(buf.getvalue(), name="bench.xlsx")
)
started = time.perf_counter()
job = services.import_job_run(job_id=job.pk)
elapsed = time.perf_counter() - started
assert job.status == ImportJob.Status.DONE, job.errors[:5]
assert Resident.objects.filter(household__dwelling__community=community).count() == args.rows
print(
    f"import_rows={args.rows} database={vendor} file_kb={len(buf.getvalue()) // 1024} seconds={elapsed:.2f} rows_per_second={args.rows / elapsed:.0f}"
)
