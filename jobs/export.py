"""The vacancy export: the import template's layout, so HR can edit it in Excel and re-import."""

from collections.abc import Iterable

from jobs.importers import VacancyImporter
from jobs.models import Vacancy
from laborbridge.imports.workbooks import export_workbook
from laborbridge.models import User
from laborbridge.spreadsheets import XLSX_CONTENT_TYPE

__all__ = ["XLSX_CONTENT_TYPE", "vacancies_workbook"]


def vacancies_workbook(*, user: User, vacancies: Iterable[Vacancy]) -> bytes:
    """Return ``vacancies`` as an .xlsx in the layout of the vacancy import template."""
    importer = VacancyImporter(actor=user, options={"employer": user.employer_id})
    return export_workbook(importer, [importer.export_row(vacancy) for vacancy in vacancies])
