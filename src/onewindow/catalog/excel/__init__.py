"""The catalogue as an Excel workbook, in the shape the centre's staff keep, and back.

Workbook layout (first row of each sheet holds the Chinese headers):

* 事项 — one row per item (ITEM_COLUMNS);
* 材料 — one row per material (MATERIAL_COLUMNS), linked by 事项编码, in guide order;
* 收费 — one row per fee (FEE_COLUMNS), linked by 事项编码.

Choice fields carry their Chinese labels (行政许可, 全程网办, 原件 …), yes/no fields 是/否,
levels and process steps are joined with "；" (steps fall back to JSON text when a step itself
contains a separator). The dict exchanged with the services is `serialize.item_to_dict`.

`import_catalogue` validates every row before writing anything; any error and nothing is
imported. Otherwise all rows are applied in one transaction through
`services.upsert_item_from_dict`, so an unchanged row makes no new version.

Modules: `layout` (sheets and columns), `export` (catalogue and lists to a workbook), `importing`
(a workbook validated, then applied). Import from `onewindow.catalog.excel`.
"""

from .export import export_catalogue, export_list
from .importing import ImportResult, RowError, import_catalogue, parse_catalogue
from .layout import FEE_SHEET, ITEM_SHEET, MATERIAL_SHEET

__all__ = ["FEE_SHEET", "ITEM_SHEET", "MATERIAL_SHEET", "ImportResult", "RowError", "export_catalogue",
           "export_list", "import_catalogue", "parse_catalogue"]
